/**
 * A stand-in for a Tekton EventListener on 127.0.0.1 for the benchmark: answers 202 with the
 * body an EventListener sends, checks X-Hub-Signature-256 with the shared secret, and keeps only
 * what the figures need: per event id, how often it arrived and when it first arrived (wall
 * clock in fractional milliseconds, comparable with the daemon's `detected_at`). Given `peerOf`,
 * it also counts requests per sender, told apart by the TCP connection they came on.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Arrival {
  readonly eventId: string;
  /** Epoch milliseconds (fractional) when the whole request had arrived. */
  readonly atMs: number;
}

export interface BenchReceiver {
  readonly url: string;
  /** Requests received (every attempt). */
  requests(): number;
  /** First arrival of each event id, in arrival order. */
  arrivals(): readonly Arrival[];
  /** Event ids that arrived more than once. */
  duplicates(): string[];
  /** Requests whose signature did not verify (or had none). */
  badSignatures(): number;
  /** Requests per sender, as `peerOf` named each connection (`unknown` when it could not). */
  requestsByPeer(): ReadonlyMap<string, number>;
  /** Resolves when `count` distinct events have arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Wall-clock milliseconds with sub-millisecond resolution. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface BenchReceiverOptions {
  /**
   * Names the sender of a new connection from its ports (the sender's end is `remotePort`), e.g.
   * the daemon process holding it; called once per connection.
   */
  readonly peerOf?: (ports: { remotePort: number; localPort: number }) => string | undefined;
}

export async function startBenchReceiver(
  secret: string,
  options: BenchReceiverOptions = {},
): Promise<BenchReceiver> {
  const seen = new Map<string, number>();
  const arrivals: Arrival[] = [];
  const byPeer = new Map<string, number>();
  const peers = new WeakMap<object, string>();
  let requests = 0;
  let badSignatures = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const atMs = wallClockMs();
      requests += 1;
      if (options.peerOf) {
        const peer = peers.get(req.socket) ?? 'unknown';
        byPeer.set(peer, (byPeer.get(peer) ?? 0) + 1);
      }
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      );
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) badSignatures += 1;
      const eventId = String(req.headers['x-reposentry-event-id'] ?? '');
      const times = (seen.get(eventId) ?? 0) + 1;
      seen.set(eventId, times);
      if (times === 1) arrivals.push({ eventId, atMs });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ eventListener: 'reposentry', namespace: 'bench', eventID: eventId }),
      );
    });
  });
  const { peerOf } = options;
  if (peerOf) {
    server.on('connection', (socket) => {
      const { remotePort, localPort } = socket;
      if (remotePort === undefined || localPort === undefined) return;
      const peer = peerOf({ remotePort, localPort });
      if (peer !== undefined) peers.set(socket, peer);
    });
  }
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => requests,
    arrivals: () => arrivals,
    duplicates: () => [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    badSignatures: () => badSignatures,
    requestsByPeer: () => byPeer,
    waitForEvents: async (count, timeoutMs) => {
      const deadline = performance.now() + timeoutMs;
      while (arrivals.length < count) {
        if (performance.now() > deadline) {
          throw new Error(`receiver: ${arrivals.length} of ${count} events within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
