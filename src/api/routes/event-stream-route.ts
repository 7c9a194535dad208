import type { Router } from 'express';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { DeliveryChange, FeedMessage } from '../../daemon/event-feed.js';
import type { ApiContext } from '../api-context.js';
import { QueryReader } from '../query-params.js';
import { eventView } from '../views/event-view.js';
import { urlWithoutCredentials } from '../views/url-without-credentials.js';

export interface EventStreamOptions {
  /** A comment line is sent this often so proxies keep the connection open. */
  readonly keepAliveMs: number;
  /** Registers an open stream so a shutdown can end it; returns the deregistration. */
  readonly track: (end: () => void) => () => void;
}

const PAGE = 500;
/** A client this far behind is disconnected; it resumes from storage with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * GET /api/v1/events/stream: `change` messages (id = event seq) read from storage whenever the
 * poller records events, so a reconnect with Last-Event-ID resumes without gaps; `delivery`
 * messages pushed live as deliveries change state.
 */
export function mountEventStreamRoute(
  router: Router,
  ctx: ApiContext,
  options: EventStreamOptions,
): void {
  router.get('/api/v1/events/stream', (req, res) => {
    new QueryReader(req.query, []);
    let lastSeq = resumePoint(req.get('last-event-id')) ?? ctx.storage.events.latestSeq();
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 3000\n\n');

    let closed = false;
    const send = (text: string): void => {
      if (closed) return;
      res.write(text);
      if (res.writableLength > MAX_BUFFERED_BYTES) end();
    };
    const pump = (): void => {
      for (;;) {
        if (closed) return;
        const events = ctx.storage.events.listAfter(lastSeq, PAGE);
        for (const event of events) {
          lastSeq = event.seq;
          send(`id: ${event.seq}\nevent: change\ndata: ${JSON.stringify(eventView(event))}\n\n`);
        }
        if (events.length < PAGE) return;
      }
    };
    const onMessage = (message: FeedMessage): void => {
      if (message.kind === 'events-recorded') pump();
      else send(`event: delivery\ndata: ${JSON.stringify(deliveryChangeView(message.change))}\n\n`);
    };
    const unsubscribe = ctx.feed.subscribe(onMessage);
    const keepAlive = setInterval(() => send(': keep-alive\n\n'), options.keepAliveMs);
    keepAlive.unref();
    const untrack = options.track(() => end());
    function end(): void {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(keepAlive);
      untrack();
      res.end();
    }
    res.on('close', end);
    try {
      pump();
    } catch {
      end();
    }
  });
}

function resumePoint(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  if (!/^\d{1,15}$/.test(header))
    throw new ReposentryError('bad-request', 'Last-Event-ID: must be an event seq (an integer)');
  return Number(header);
}

function deliveryChangeView(change: DeliveryChange): Record<string, unknown> {
  return {
    deliveryId: change.deliveryId,
    eventId: change.eventId,
    repository: change.repository,
    targetUrl: urlWithoutCredentials(change.targetUrl),
    status: change.status,
    attempt: change.attempt ?? null,
    statusCode: change.statusCode ?? null,
    latencyMs: change.latencyMs ?? null,
    error: change.error ?? null,
    at: change.at.toISOString(),
  };
}
