import { brotliDecompressSync, unzipSync } from 'node:zlib';
import { RequestOpener } from '../http/open-request.js';

/** What Octokit and the metering wrapper read of a response; a fetch `Response` is one. */
export interface FetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly headers: Pick<Headers, 'get' | 'has'> & Iterable<[string, string]>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The part of `fetch` the GitHub client uses; the global `fetch` is one. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<FetchResponse>;

export interface NodeHttpFetchOptions {
  /**
   * The connections to send on, owned (and closed at stop) by the composition root; without
   * one, the fetch opens its own pool, whose idle sockets close after `idleSocketMs`.
   */
  readonly opener?: RequestOpener;
  /** Idle keep-alive sockets are closed after this long (default 5 s, as Node's global agent). */
  readonly idleSocketMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);
const MAX_REDIRECTS = 20;

interface Exchange {
  readonly status: number;
  readonly statusText: string;
  readonly headers: string[];
  readonly body: Buffer;
}

/**
 * A `fetch` over node:http and node:https with keep-alive agents (see RequestOpener), for the
 * GitHub client's conditional GETs. At 10,000 repositories Node 20's built-in fetch grew the old
 * generation by tens of megabytes per poll cycle.
 *
 * Behaves like fetch where the client can tell: redirects followed (Authorization dropped when
 * the origin changes), gzip/deflate/br bodies decoded, an abort rejects with the signal's
 * reason, a network failure rejects with `TypeError('fetch failed', { cause })`, and a request
 * on a kept-alive socket the server had just closed is sent once more on a fresh one.
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): FetchLike {
  const opener =
    options.opener ??
    new RequestOpener(
      options.idleSocketMs === undefined ? {} : { idleSocketMs: options.idleSocketMs },
    );

  return async (input, init = {}) => {
    let method = (init.method ?? 'GET').toUpperCase();
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
      throw new TypeError('node-http fetch sends string bodies only');
    }
    let body = init.body ?? undefined;
    const signal = init.signal ?? undefined;
    const headers = headerRecord(init.headers);
    if (!('accept-encoding' in headers)) headers['accept-encoding'] = 'gzip, deflate, br';
    let url = new URL(input);
    for (let hop = 0; ; hop += 1) {
      const exchange = await send(url, method, headers, body, opener, signal);
      const location = headerValue(exchange.headers, 'location');
      if (REDIRECTS.has(exchange.status) && location !== undefined && init.redirect !== 'manual') {
        if (init.redirect === 'error' || hop >= MAX_REDIRECTS) {
          throw new TypeError('fetch failed', { cause: new Error('redirect not followed') });
        }
        const next = new URL(location, url);
        if (next.origin !== url.origin) delete headers.authorization;
        if (exchange.status === 303 || (exchange.status <= 302 && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        url = next;
        continue;
      }
      if (exchange.status < 200 || exchange.status > 599) {
        throw new TypeError('fetch failed', {
          cause: new Error(`unexpected HTTP status ${exchange.status}`),
        });
      }
      return new BufferedResponse(exchange, url.href);
    }
  };
}

async function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  opener: RequestOpener,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  const response = await opener.open(url, { method, headers, body, signal });
  return new Promise<Exchange>((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', (err) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as fetch: the signal's reason, whatever it is
      if (signal?.aborted === true) reject(signal.reason);
      else reject(new TypeError('fetch failed', { cause: err }));
    });
    response.on('end', () => {
      try {
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: response.rawHeaders,
          body: decode(Buffer.concat(chunks), response.headers['content-encoding']),
        });
      } catch (err) {
        reject(new TypeError('fetch failed', { cause: err }));
      }
    });
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (body.length === 0 || encoding === undefined) return body;
  const coding = encoding.trim().toLowerCase();
  if (coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate') return unzipSync(body);
  if (coding === 'br') return brotliDecompressSync(body);
  return body;
}

/** Response headers: lower-case names, repeated fields joined with ", " as Headers does. */
class ResponseHeaders implements Iterable<[string, string]> {
  private readonly fields = new Map<string, string>();

  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      // The body is handed over decoded, as fetch does.
      if (name === 'content-encoding' || name === 'content-length') continue;
      const value = raw[i + 1] as string;
      const previous = this.fields.get(name);
      this.fields.set(name, previous === undefined ? value : `${previous}, ${value}`);
    }
  }

  get(name: string): string | null {
    return this.fields.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.fields.has(name.toLowerCase());
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return this.fields.entries();
  }
}

/**
 * The answer as fetch would give it, without a web stream: the body is already read (branch and
 * tag pages are small) and a null-body status has none.
 */
class BufferedResponse implements FetchResponse {
  readonly ok: boolean;
  readonly headers: ResponseHeaders;
  readonly status: number;
  readonly statusText: string;
  private readonly body: Buffer;

  constructor(
    exchange: Exchange,
    readonly url: string,
  ) {
    this.status = exchange.status;
    this.statusText = exchange.statusText;
    this.ok = exchange.status >= 200 && exchange.status <= 299;
    this.headers = new ResponseHeaders(exchange.headers);
    this.body = NULL_BODY.has(exchange.status) ? Buffer.alloc(0) : exchange.body;
  }

  text(): Promise<string> {
    return Promise.resolve(this.body.toString('utf8'));
  }

  json(): Promise<unknown> {
    return this.text().then((text) => JSON.parse(text) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const { buffer, byteOffset, byteLength } = this.body;
    return Promise.resolve(buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer);
  }
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers === undefined) return record;
  const entries =
    headers instanceof Headers
      ? headers.entries()
      : Array.isArray(headers)
        ? headers
        : Object.entries(headers);
  for (const [name, value] of entries) record[name.toLowerCase()] = String(value);
  return record;
}

function headerValue(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}
