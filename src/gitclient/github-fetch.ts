import { brotliDecompressSync, unzipSync } from 'node:zlib';
import {
  RequestOpener,
  type OpenedResponse,
  type ResponseHeaderFields,
} from '../http/open-request.js';

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

export interface GithubFetchOptions {
  /**
   * The connections to send on, owned (and closed at stop) by the composition root; without
   * one, the fetch opens its own pool, whose idle connections close after `idleSocketMs`.
   */
  readonly opener?: RequestOpener;
  /** Idle kept-alive connections are closed after this long (default 5 s). */
  readonly idleSocketMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);
const MAX_REDIRECTS = 20;

interface Exchange {
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaderFields;
  readonly body: Buffer;
}

/**
 * A `fetch` over a RequestOpener (undici, kept-alive connections), for the GitHub client's
 * conditional GETs. At 10,000 repositories Node 20's built-in fetch grew the old generation by
 * tens of megabytes per poll cycle.
 *
 * Behaves like fetch where the client can tell: redirects followed (Authorization dropped when
 * the origin changes), gzip/deflate/br bodies decoded (node:zlib), an abort rejects with the
 * signal's reason, a network failure rejects with `TypeError('fetch failed', { cause })`, and a
 * request on a kept-alive connection the server had just closed is sent once more on a fresh
 * one (RequestOpener).
 */
export function createGithubFetch(options: GithubFetchOptions = {}): FetchLike {
  const opener =
    options.opener ??
    new RequestOpener(
      options.idleSocketMs === undefined ? {} : { idleSocketMs: options.idleSocketMs },
    );

  return async (input, init = {}) => {
    let method = (init.method ?? 'GET').toUpperCase();
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
      throw new TypeError('the GitHub fetch sends string bodies only');
    }
    let body = init.body ?? undefined;
    const signal = init.signal ?? undefined;
    const headers = headerRecord(init.headers);
    if (!('accept-encoding' in headers)) headers['accept-encoding'] = 'gzip, deflate, br';
    let url = new URL(input);
    for (let hop = 0; ; hop += 1) {
      const exchange = await send(url, method, headers, body, opener, signal);
      const location = fieldValue(exchange.headers.location);
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
  let raw: Buffer;
  try {
    raw = await readAll(response);
  } catch (err) {
    if (signal?.aborted === true) throw signal.reason;
    throw new TypeError('fetch failed', { cause: err });
  }
  try {
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      body: decode(raw, response.header('content-encoding')),
    };
  } catch (err) {
    throw new TypeError('fetch failed', { cause: err });
  }
}

/** The whole body; rejects when it fails or is cut off (an abort may come before listening). */
function readAll(response: OpenedResponse): Promise<Buffer> {
  const { body } = response;
  if (body.errored !== null) return Promise.reject(body.errored);
  if (body.destroyed) return Promise.reject(new Error('response body closed before its end'));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    body
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .once('error', reject)
      .once('close', () => reject(new Error('response body closed before its end')))
      .once('end', () =>
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
      );
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (body.length === 0 || encoding === undefined) return body;
  const coding = encoding.trim().toLowerCase();
  if (coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate') return unzipSync(body);
  if (coding === 'br') return brotliDecompressSync(body);
  return body;
}

function fieldValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Response headers: lower-case names, repeated fields joined with ", " as Headers does. */
class ResponseHeaders implements Iterable<[string, string]> {
  private readonly fields = new Map<string, string>();

  constructor(received: ResponseHeaderFields) {
    for (const [name, value] of Object.entries(received)) {
      // The body is handed over decoded, as fetch does.
      if (value === undefined || name === 'content-encoding' || name === 'content-length') continue;
      this.fields.set(name, fieldValue(value) as string);
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
