import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, buildConnector, errors, type Dispatcher } from 'undici';

export interface OpenRequestOptions {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | undefined;
  /** Aborts the request and, after the response has begun, its body. */
  readonly signal?: AbortSignal | undefined;
}

export interface RequestOpenerOptions {
  /** Idle kept-alive connections are closed after this long (default 5 s). */
  readonly idleSocketMs?: number;
}

/** Response header fields: lower-case names; a field sent more than once is an array. */
export type ResponseHeaderFields = Readonly<Record<string, string | string[] | undefined>>;

/** A response whose status line and headers are in; its body is the caller's to read or drop. */
export interface OpenedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaderFields;
  /**
   * The body as it arrives, paused until read. Destroying it before it has all arrived drops
   * the connection with it; an abort destroys it with the signal's reason as its error.
   */
  readonly body: Readable;
  /** True once the whole body has arrived (it may still wait unread in `body`). */
  readonly complete: boolean;
  /** A header's value, repeated fields joined with ", " (as fetch's Headers.get). */
  header(name: string): string | undefined;
}

/** Connection failures after which a request that had no answer yet may be sent once more. */
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
/** Errors of a request that could not be built (a header value with a line break, ...). */
const UNBUILDABLE_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

/**
 * Sends requests over undici on one Agent of its own: kept-alive connections per origin, idle
 * ones closed after `idleSocketMs` (or earlier, as the server's Keep-Alive hint asks), which do
 * not keep the process alive. A composition root creates one per transport (deliveries, the
 * GitHub API), hands it to whoever sends, and closes it at stop, after its last user stopped.
 *
 * `open` resolves with the response as soon as its status line and headers are in; the body is
 * the caller's to read, resume or destroy. There is no timeout of the transport's own: every
 * caller bounds its requests with the signal. Node's built-in fetch (undici underneath, with the
 * WHATWG layers on top) kept each request's abort wiring alive until a full garbage collection,
 * which is why the daemon sends on a plain Agent instead.
 *
 * As fetch would: an abort rejects with the signal's reason (and destroys a body still being
 * read, with that reason as its error); a network failure rejects with
 * `TypeError('fetch failed', { cause })`; a request that cannot be built (a header value with a
 * line break, ...) rejects with a TypeError without a cause, before anything is sent. A body goes
 * out with a Content-Length. Redirects are not followed and bodies are not decoded.
 *
 * A request on a kept-alive connection that the server closes or resets before any answer to it
 * arrives is sent once more (the server had closed it under us, most likely at its idle timeout).
 * undici does not tell on which connection a request went, so "kept-alive" is taken as "the
 * connection had read bytes before it failed": answers to earlier requests, or (rarely) part of
 * a status line that never completed. A connection that fails having read nothing (refused,
 * closed or reset on first use) is not retried here.
 */
export class RequestOpener {
  private readonly agent: Agent;
  /** Errors of connections that had read bytes when they failed (see above). */
  private readonly afterReading = new WeakSet<Error>();
  private closed = false;

  constructor(options: RequestOpenerOptions = {}) {
    const idleMs = options.idleSocketMs ?? 5000;
    const connectSocket = buildConnector({});
    this.agent = new Agent({
      keepAliveTimeout: idleMs,
      keepAliveMaxTimeout: idleMs,
      // Callers bound every request with their own signal (poll budget, delivery timeout).
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: (connectOptions, callback) =>
        connectSocket(connectOptions, (...result) => {
          // On failure undici calls back with the error alone (no second argument).
          const socket = result[1] as Socket | null | undefined;
          if (socket) this.watch(socket);
          callback(...result);
        }),
    });
  }

  open(url: URL, options: OpenRequestOptions): Promise<OpenedResponse> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(
        new TypeError('fetch failed', { cause: new Error(`unsupported ${url.protocol}`) }),
      );
    }
    return this.send(url, options, false);
  }

  /** Destroys every connection, idle or in use; later requests fail as network errors. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // The sockets are destroyed at once; the promise only tells when their 'close' has fired.
    this.agent.destroy().catch(() => undefined);
  }

  private send(url: URL, options: OpenRequestOptions, replayed: boolean): Promise<OpenedResponse> {
    const { signal } = options;
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as fetch: the signal's reason, whatever it is
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    if (this.closed) {
      return Promise.reject(
        new TypeError('fetch failed', { cause: new Error('connections closed (stopping)') }),
      );
    }
    return new Promise<OpenedResponse>((resolve, reject) => {
      const exchange = new Exchange(signal, resolve, reject, (error) => {
        if (replayed || this.closed || !this.isStaleConnection(error)) return false;
        this.send(url, options, true).then(resolve, reject);
        return true;
      });
      this.agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: options.method,
          headers: options.headers,
          body: options.body ?? null,
        },
        exchange,
      );
    });
  }

  /** Notes, for each error a connection fails with, whether it had read anything by then. */
  private watch(socket: Socket): void {
    socket.on('error', (err) => {
      if (socket.bytesRead > 0) this.afterReading.add(err);
    });
  }

  private isStaleConnection(error: Error): boolean {
    const { code } = error as { code?: unknown };
    if (typeof code !== 'string' || !RESET_CODES.has(code)) return false;
    if (this.afterReading.has(error)) return true;
    return error instanceof errors.SocketError && (error.socket?.bytesRead ?? 0) > 0;
  }
}

/**
 * One request as undici reports it: settles `open`'s promise at the status line (or the first
 * failure), then feeds the body stream and ends or destroys it.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private response: ReceivedResponse | undefined;
  /** The promise is settled (or handed to a replay); later failures only concern the body. */
  private settled = false;
  /** Set when aborted before undici started the request: it is aborted as it starts. */
  private abortedWith: Error | undefined;

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (response: OpenedResponse) => void,
    private readonly reject: (reason: unknown) => void,
    /** Sends the request once more if `error` allows it; true when it did. */
    private readonly replay: (error: Error) => boolean,
  ) {
    signal?.addEventListener('abort', this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortedWith !== undefined) controller.abort(this.abortedWith);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaderFields,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) return; // 1xx: the answer is still to come
    if (this.settled) {
      controller.abort(this.abortedWith ?? new Error('request settled'));
      return;
    }
    this.settled = true;
    const response = new ReceivedResponse(statusCode, statusMessage ?? '', headers, controller);
    this.response = response;
    response.body.once('close', this.release);
    this.resolve(response);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.response?.body.push(chunk) === false) controller.pause();
  }

  onResponseEnd(): void {
    // The exchange is over: nothing is left for an abort to cut.
    this.release();
    this.response?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.release();
    if (this.response !== undefined) {
      this.response.fail(error);
      return;
    }
    if (this.settled) return;
    this.settled = true;
    if (this.replay(error)) return;
    const { code } = error as { code?: unknown };
    if (typeof code === 'string' && UNBUILDABLE_CODES.has(code)) {
      this.reject(new TypeError(error.message));
    } else {
      this.reject(new TypeError('fetch failed', { cause: error }));
    }
  }

  private readonly onAbort = (): void => {
    const reason = abortReason(this.signal);
    const error = reason instanceof Error ? reason : new Error(String(reason));
    this.release();
    if (this.response !== undefined) {
      this.response.fail(error);
      return;
    }
    if (this.settled) return;
    this.settled = true;
    this.abortedWith = error;
    this.controller?.abort(error);
    this.reject(reason);
  };

  private readonly release = (): void => {
    this.signal?.removeEventListener('abort', this.onAbort);
  };
}

class ReceivedResponse implements OpenedResponse {
  readonly body: Readable;
  private ended = false;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: ResponseHeaderFields,
    controller: Dispatcher.DispatchController,
  ) {
    this.body = new Readable({
      highWaterMark: 64 * 1024,
      read: () => controller.resume(),
      destroy: (error, callback) => {
        // A body dropped before its end takes its connection with it.
        if (!this.ended) controller.abort(error ?? new Error('response body discarded'));
        callback(error);
      },
    });
  }

  get complete(): boolean {
    return this.ended;
  }

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /**
   * The whole body has arrived. undici hands the connection to the next request one turn of the
   * event loop later (a check that the server did not close it after all); the body ends after
   * that turn, so that a caller who sends its next request once this one has ended finds the
   * connection free instead of opening another one.
   */
  end(): void {
    this.ended = true;
    queueMicrotask(() => setImmediate(() => this.body.push(null)));
  }

  /** Ends the body with `error`; a reader that listens for errors gets it, nobody else does. */
  fail(error: Error): void {
    if (this.body.destroyed) return;
    this.body.on('error', () => undefined).destroy(error);
  }
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
