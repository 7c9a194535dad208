import http from 'node:http';
import https from 'node:https';

export interface OpenRequestOptions {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | undefined;
  /** Aborts the request and, after the response has begun, its body. */
  readonly signal?: AbortSignal | undefined;
}

export interface RequestOpenerOptions {
  /** Idle kept-alive sockets are closed after this long (default 5 s, as Node's global agent). */
  readonly idleSocketMs?: number;
}

interface KeepAliveAgents {
  readonly 'http:': http.Agent;
  readonly 'https:': https.Agent;
}

/**
 * Sends requests over node:http and node:https on its own pool of kept-alive connections (one
 * agent per scheme; idle sockets close after `idleSocketMs` and do not keep the process alive).
 * A composition root creates one per transport (deliveries, the GitHub API), hands it to whoever
 * sends, and closes it at stop, after its last user stopped.
 *
 * `open` resolves with the response as soon as its status line and headers are in; the body is
 * the caller's to read, resume or destroy. Node's built-in fetch costs about three times the CPU
 * per request and keeps each request's abort wiring alive until a full garbage collection, which
 * is why the daemon's hot paths use this instead.
 *
 * As fetch would: an abort rejects with the signal's reason (and destroys a body still being
 * read, with that reason as its error); a network failure rejects with
 * `TypeError('fetch failed', { cause })`; a request on a kept-alive socket the server had just
 * closed is sent once more on a fresh one (the server never read it). A body goes out with a
 * Content-Length (node:http sets it for a body given whole). A request that cannot be
 * built (a header value with a line break, ...) throws the TypeError node:http throws.
 */
export class RequestOpener {
  private readonly agents: KeepAliveAgents;
  private closed = false;

  constructor(options: RequestOpenerOptions = {}) {
    const timeout = options.idleSocketMs ?? 5000;
    this.agents = {
      'http:': new http.Agent({ keepAlive: true, timeout }),
      'https:': new https.Agent({ keepAlive: true, timeout }),
    };
  }

  open(url: URL, options: OpenRequestOptions): Promise<http.IncomingMessage> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(
        new TypeError('fetch failed', { cause: new Error(`unsupported ${url.protocol}`) }),
      );
    }
    if (this.closed) {
      return Promise.reject(
        new TypeError('fetch failed', { cause: new Error('connections closed (stopping)') }),
      );
    }
    return send(url, options, this.agents[url.protocol], false);
  }

  /** Destroys every connection, idle or in use; later requests fail as network errors. */
  close(): void {
    this.closed = true;
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

function send(
  url: URL,
  options: OpenRequestOptions,
  agent: http.Agent,
  retried: boolean,
): Promise<http.IncomingMessage> {
  const { signal } = options;
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as fetch: the signal's reason, whatever it is
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  const transport = url.protocol === 'https:' ? https : http;
  const request = transport.request(url, {
    method: options.method,
    headers: options.headers,
    agent,
  });
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    let settled = false;
    const release = (): void => signal?.removeEventListener('abort', onAbort);
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      release();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as fetch: the signal's reason, whatever it is
      reject(error);
    };
    function onAbort(): void {
      const reason = abortReason(signal);
      if (response) {
        release();
        response.destroy(reason instanceof Error ? reason : new Error(String(reason)));
        return;
      }
      request.destroy();
      fail(reason);
    }
    signal?.addEventListener('abort', onAbort);
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      if (request.reusedSocket && err.code === 'ECONNRESET' && !retried) {
        settled = true;
        release();
        send(url, options, agent, true).then(resolve, reject);
        return;
      }
      fail(new TypeError('fetch failed', { cause: err }));
    });
    request.on('response', (incoming) => {
      if (settled) {
        incoming.destroy();
        return;
      }
      settled = true;
      response = incoming;
      incoming.once('close', release);
      resolve(incoming);
    });
    request.end(options.body);
  });
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
