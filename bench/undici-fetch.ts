/**
 * The GitHub client's FetchLike over undici 7 (an Agent with keep-alive and `request`), for the
 * transport scenario, which measures it against createNodeHttpFetch (src/gitclient/).
 *
 * It does what ours does where the client can tell, with undici's own parts: redirects through
 * the redirect interceptor (which drops Authorization when the origin changes), gzip/deflate/br
 * bodies through the decompress interceptor, an abort rejects with the signal's reason and a
 * network failure with `TypeError('fetch failed', { cause })`. Not done here: the final URL
 * after a redirect (`request` does not tell it; the response carries the one asked for) and the
 * replay of a request on a kept-alive socket the server had just closed (undici closes idle
 * sockets before the server's announced keep-alive timeout instead).
 */
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { FetchLike, FetchResponse } from '../src/gitclient/node-http-fetch.js';

const NULL_BODY = new Set([101, 204, 205, 304]);
const MAX_REDIRECTS = 20;

/**
 * An Agent as the daemon would hold one per transport: idle kept-alive sockets close after
 * `idleSocketMs` (RequestOpener's default is 5 s).
 */
export function createUndiciAgent(idleSocketMs = 5000): Agent {
  return new Agent({ keepAliveTimeout: idleSocketMs });
}

/** The dispatcher the GitHub fetch sends on: `agent` with redirects and decompression. */
export function githubDispatcher(agent: Agent): Dispatcher {
  return agent.compose(
    interceptors.redirect({ maxRedirections: MAX_REDIRECTS }),
    interceptors.decompress(),
  );
}

export function createUndiciFetch(dispatcher: Dispatcher): FetchLike {
  return async (input, init = {}) => {
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
      throw new TypeError('undici fetch sends string bodies only');
    }
    const signal = init.signal ?? undefined;
    const headers = headerRecord(init.headers);
    if (!('accept-encoding' in headers)) headers['accept-encoding'] = 'gzip, deflate, br';
    const url = typeof input === 'string' ? input : input.href;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        dispatcher,
        method: (init.method ?? 'GET').toUpperCase(),
        headers,
        body: init.body ?? null,
        signal: signal ?? null,
      });
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw new TypeError('fetch failed', { cause: err });
    }
    let body: Buffer;
    try {
      body = Buffer.from(await response.body.arrayBuffer());
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw new TypeError('fetch failed', { cause: err });
    }
    return new BufferedResponse(response, body, url);
  };
}

/** Response headers: lower-case names (as undici gives them), repeated fields joined with ", ". */
class ResponseHeaders implements Iterable<[string, string]> {
  private readonly fields = new Map<string, string>();

  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      // The body is handed over decoded, as fetch does.
      if (name === 'content-encoding' || name === 'content-length') continue;
      this.fields.set(name, Array.isArray(value) ? value.join(', ') : value);
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

class BufferedResponse implements FetchResponse {
  readonly ok: boolean;
  readonly headers: ResponseHeaders;
  readonly status: number;
  readonly statusText: string;
  private readonly body: Buffer;

  constructor(
    response: Dispatcher.ResponseData,
    body: Buffer,
    readonly url: string,
  ) {
    this.status = response.statusCode;
    this.statusText = response.statusText;
    this.ok = response.statusCode >= 200 && response.statusCode <= 299;
    this.headers = new ResponseHeaders(response.headers);
    this.body = NULL_BODY.has(response.statusCode) ? Buffer.alloc(0) : body;
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
