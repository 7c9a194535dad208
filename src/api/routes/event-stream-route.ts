import type { Router } from 'express';
import type { FeedMessage } from '../event-feed.js';
import type { ApiContext } from '../api-context.js';
import { EVENT_STREAM_ROUTE } from '../contract/event-contracts.js';
import { mountRoute } from '../mount-route.js';
import { deliveryChangeView } from '../views/delivery-view.js';
import { eventView } from '../views/event-view.js';

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
  mountRoute(router, ctx, EVENT_STREAM_ROUTE, async ({ headers }, _req, res) => {
    let lastSeq = headers['Last-Event-ID'] ?? (await ctx.storage.events.latestSeq());
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
    const pump = async (): Promise<void> => {
      for (;;) {
        if (closed) return;
        const events = await ctx.storage.events.listAfter(lastSeq, PAGE);
        for (const event of events) {
          lastSeq = event.seq;
          send(`id: ${event.seq}\nevent: change\ndata: ${JSON.stringify(eventView(event))}\n\n`);
        }
        if (events.length < PAGE) return;
      }
    };
    // Messages go out in the order they came: a delivery change waits for the events read before.
    let queue = Promise.resolve();
    const inOrder = (task: () => void | Promise<void>): void => {
      queue = queue.then(task).catch(() => end());
    };
    const onMessage = (message: FeedMessage): void => {
      if (message.kind === 'events-recorded') inOrder(pump);
      else {
        const text = `event: delivery\ndata: ${JSON.stringify(deliveryChangeView(message.change))}\n\n`;
        inOrder(() => send(text));
      }
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
    inOrder(pump);
    await queue;
  });
}
