/**
 * A stand-in for a Tekton EventListener on 127.0.0.1:0: verifies X-Hub-Signature-256 with the
 * shared secret, records every request, and can be told to answer with a status, hang, or be
 * closed and reopened on the same port (an outage).
 *
 *   const receiver = await createWebhookReceiver({ secret: 's3cret' });
 *   receiver.respondWith(503);             // or receiver.hang(true)
 *   await receiver.waitFor((r) => r.length >= 2);
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly json: Record<string, unknown>;
  readonly signatureValid: boolean | undefined;
  readonly eventId: string | undefined;
  readonly status: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Requests answered 2xx, grouped by event id. */
  deliveredIds(): string[];
  respondWith(status: number): void;
  hang(on: boolean): void;
  /** Send `Retry-After: <seconds>` with every non-2xx answer (undefined: none). */
  retryAfter(seconds: number | undefined): void;
  /** Answer every request this many ms after it arrived (0 = at once). */
  delay(ms: number): void;
  /**
   * An outage until `reopen`: every connection is reset as soon as it opens. The port stays
   * bound, so no other server of a parallel test can take it over meanwhile.
   */
  down(): Promise<void>;
  reopen(): Promise<void>;
  waitFor(predicate: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createWebhookReceiver(
  options: { secret?: string; port?: number } = {},
): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let status = 200;
  let hanging = false;
  let delayMs = 0;
  let retryAfterSeconds: number | undefined;
  const hung = new Set<http.ServerResponse>();
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const given = req.headers['x-hub-signature-256'];
      let signatureValid: boolean | undefined;
      if (options.secret !== undefined && typeof given === 'string') {
        const expected = Buffer.from(
          `sha256=${createHmac('sha256', options.secret).update(raw).digest('hex')}`,
        );
        signatureValid =
          expected.length === given.length && timingSafeEqual(expected, Buffer.from(given));
      }
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // not JSON: recorded as is
      }
      const eventId = req.headers['x-reposentry-event-id'];
      if (hanging) {
        hung.add(res);
        return;
      }
      requests.push({
        headers: req.headers,
        body,
        json,
        signatureValid,
        eventId: typeof eventId === 'string' ? eventId : undefined,
        status,
      });
      const answer = status;
      const respond = (): void => {
        res.statusCode = answer;
        if (answer >= 300 && retryAfterSeconds !== undefined)
          res.setHeader('Retry-After', String(retryAfterSeconds));
        res.end(answer < 300 ? 'accepted' : 'nope');
      };
      if (delayMs > 0) setTimeout(respond, delayMs);
      else respond();
    });
  };
  let resetting = false;
  const server = http.createServer(handler);
  server.on('connection', (socket) => {
    if (resetting) socket.resetAndDestroy();
  });
  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const closeServer = async (): Promise<void> => {
    for (const res of hung) res.destroy();
    hung.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    deliveredIds: () => requests.filter((r) => r.status < 300 && r.eventId).map((r) => r.eventId!),
    respondWith: (s) => {
      status = s;
    },
    hang: (on) => {
      hanging = on;
    },
    retryAfter: (seconds) => {
      retryAfterSeconds = seconds;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    down: () => {
      resetting = true;
      server.closeAllConnections();
      return Promise.resolve();
    },
    reopen: () => {
      resetting = false;
      return Promise.resolve();
    },
    waitFor: async (predicate, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline)
          throw new Error(
            `receiver: condition not met within ${timeoutMs} ms (${requests.length} requests)`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: closeServer,
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
