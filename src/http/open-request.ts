import http from 'node:http';
import https from 'node:https';

export interface OpenRequestOptions {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | undefined;
  readonly agents: KeepAliveAgents;
  /** Aborts the request and, after the response has begun, its body. */
  readonly signal?: AbortSignal | undefined;
}

export interface KeepAliveAgents {
  readonly 'http:': http.Agent;
  readonly 'https:': https.Agent;
}

/**
 * Keep-alive agents for node:http and node:https. Idle sockets are closed after `idleSocketMs`
 * (default 5 s, as Node's global agent) and do not keep the process alive.
 */
export function keepAliveAgents(idleSocketMs = 5000): KeepAliveAgents {
  return {
    'http:': new http.Agent({ keepAlive: true, timeout: idleSocketMs }),
    'https:': new https.Agent({ keepAlive: true, timeout: idleSocketMs }),
  };
}

/**
 * Sends one request and resolves with the response as soon as its status line and headers are
 * in; the body is the caller's to read, resume or destroy. Node's built-in fetch costs about
 * three times the CPU per request and keeps each request's abort wiring alive until a full
 * garbage collection, which is why the daemon's hot paths use this instead.
 *
 * As fetch would: an abort rejects with the signal's reason (and destroys a body still being
 * read, with that reason as its error); a network failure rejects with
 * `TypeError('fetch failed', { cause })`; a request on a kept-alive socket the server had just
 * closed is sent once more on a fresh one (the server never read it). A body goes out with a
 * Content-Length (node:http sets it for a body given whole). A request that cannot be
 * built (a header value with a line break, ...) throws the TypeError node:http throws.
 */
export function openRequest(url: URL, options: OpenRequestOptions): Promise<http.IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(
      new TypeError('fetch failed', { cause: new Error(`unsupported ${url.protocol}`) }),
    );
  }
  return send(url, options, false);
}

function send(
  url: URL,
  options: OpenRequestOptions,
  retried: boolean,
): Promise<http.IncomingMessage> {
  const { signal } = options;
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as fetch: the signal's reason, whatever it is
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  const transport = url.protocol === 'https:' ? https : http;
  const request = transport.request(url, {
    method: options.method,
    headers: options.headers,
    agent: options.agents[url.protocol as keyof KeepAliveAgents],
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
        send(url, options, true).then(resolve, reject);
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
