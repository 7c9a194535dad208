import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { OpenedResponse, RequestOpener } from '../http/open-request.js';
import { parseRetryAfter } from '../http/parse-retry-after.js';
import { credentialHeaderValues, redactCredentials, urlCredentials } from '../logging/redact.js';
import { SecretRegistry } from '../logging/secret-registry.js';

export const DELIVERY_OUTCOME_CODES = [
  'delivered',
  'delivery-rejected',
  'delivery-failed',
] as const;
export type DeliveryOutcomeCode = (typeof DELIVERY_OUTCOME_CODES)[number];

export interface DeliveryRequest {
  readonly url: string;
  /** The exact bytes that were signed. */
  readonly body: string | Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Aborts the attempt (shutdown); the outcome is then a retryable `delivery-failed`. */
  readonly signal?: AbortSignal;
  /** Also read the start of a 2xx response's body into `responseBody` (`test-webhook`). */
  readonly readBody?: boolean;
  /** The kept-alive connections to send on (the composition root's; closed at stop). */
  readonly opener: RequestOpener;
}

/** The result of one POST. `sendDelivery` never throws; every outcome is one of these. */
export interface DeliveryOutcome {
  /** True for 2xx. */
  readonly ok: boolean;
  /** Absent when no response arrived (network error, timeout, abort). */
  readonly statusCode?: number;
  readonly latencyMs: number;
  /** True for 408, 429, 5xx, network errors, timeouts and aborts. */
  readonly retryable: boolean;
  /** From `Retry-After` (seconds or HTTP date) on a non-2xx response. */
  readonly retryAfterMs?: number;
  /** Short, one line, free of secrets; at most ~200 characters of the response body. */
  readonly error?: string;
  /** `delivered` (2xx), `delivery-rejected` (not retryable), `delivery-failed` (retryable). */
  readonly code: DeliveryOutcomeCode;
  /** With `readBody`: up to ~200 characters of a 2xx response's body on one line, scrubbed. */
  readonly responseBody?: string;
}

const MAX_ERROR_CHARS = 200;

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * POSTs one delivery over the opener's kept-alive connections. Redirects are not followed
 * (a redirect could carry the token or signature to another host). `user:pass@` in the URL is
 * sent as basic authentication, never in the URL.
 */
export async function sendDelivery(request: DeliveryRequest): Promise<DeliveryOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let target: { url: string; headers: Record<string, string> };
  try {
    target = targetOf(request.url, request.headers);
  } catch {
    return rejected(elapsed(), 'invalid event listener URL');
  }
  const secrets = sensitiveValuesOf(request.url, target.headers);
  const redact = (text: string): string => redactCredentials(text, secrets);
  const scrub = (text: string): string => capped(redact(text));
  if (request.signal?.aborted === true) return failed(elapsed(), 'aborted before sending');

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  const onAbort = (): void => controller.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    let response: OpenedResponse;
    try {
      response = await request.opener.open(new URL(target.url), {
        method: 'POST',
        headers: target.headers,
        body: request.body,
        signal: controller.signal,
      });
    } catch (err) {
      if (timedOut) return failed(elapsed(), `timed out after ${request.timeoutMs}ms`);
      if (controller.signal.aborted) return failed(elapsed(), 'aborted');
      return requestErrorOutcome(err, elapsed(), scrub);
    }
    const latencyMs = elapsed();
    const { status } = response;
    if (status >= 200 && status < 300) {
      const delivered = { ok: true, statusCode: status, latencyMs, retryable: false } as const;
      if (request.readBody === true) {
        const responseBody = await readSnippet(response, redact);
        return { ...delivered, code: 'delivered', responseBody };
      }
      // The status is the answer; a slow or large body must not hold the worker.
      await releaseBody(response, request.timeoutMs);
      return { ...delivered, code: 'delivered' };
    }
    const snippet = await readSnippet(response, redact);
    const retryAfterMs = parseRetryAfter(response.header('retry-after'));
    const retryable = isRetryableStatus(status);
    const what = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    const error = `HTTP ${status}${what}${snippet === '' ? '' : `: ${snippet}`}`;
    return {
      ok: false,
      statusCode: status,
      latencyMs,
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      error,
      code: retryable ? 'delivery-failed' : 'delivery-rejected',
    };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}

function failed(latencyMs: number, error: string): DeliveryOutcome {
  return { ok: false, latencyMs, retryable: true, error, code: 'delivery-failed' };
}

function rejected(latencyMs: number, error: string): DeliveryOutcome {
  return { ok: false, latencyMs, retryable: false, error, code: 'delivery-rejected' };
}

/** Moves `user:pass@` out of the URL into an Authorization header (unless one is configured). */
function targetOf(
  rawUrl: string,
  headers: Readonly<Record<string, string>>,
): { url: string; headers: Record<string, string> } {
  const url = new URL(rawUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('unsupported scheme');
  const out = { ...headers };
  if (url.username !== '' || url.password !== '') {
    const hasAuth = Object.keys(out).some((name) => name.toLowerCase() === 'authorization');
    if (!hasAuth) {
      const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      out.Authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    }
    url.username = '';
    url.password = '';
  }
  return { url: url.toString(), headers: out };
}

/**
 * Values that must never appear in an outcome: credentials in headers (among them the Basic
 * header made from the URL's `user:pass@`) and in the URL, which `targetOf` has already parsed.
 */
function sensitiveValuesOf(
  rawUrl: string,
  headers: Readonly<Record<string, string>>,
): SecretRegistry {
  return new SecretRegistry([
    ...credentialHeaderValues(headers),
    new URL(rawUrl).password,
    ...urlCredentials(rawUrl),
  ]);
}

function capped(text: string): string {
  return text.length > MAX_ERROR_CHARS + 40 ? `${text.slice(0, MAX_ERROR_CHARS + 40)}…` : text;
}

/**
 * Up to MAX_ERROR_CHARS of the response body on one line, passed through `redact` before its
 * lines are joined (so that a secret broken over two lines is still found); what arrived so far
 * when the body fails or the attempt times out first. The rest of a longer body is dropped, with
 * its connection when it has not all arrived yet.
 */
function readSnippet(response: OpenedResponse, redact: (text: string) => string): Promise<string> {
  const { body } = response;
  return new Promise((resolve) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    const done = (): void => {
      body.off('data', onData).off('end', done).off('error', done).off('close', done);
      if (response.complete) body.resume();
      else body.destroy();
      const oneLine = redact(text)
        .replace(/\p{Cc}+/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      resolve(oneLine.length > MAX_ERROR_CHARS ? `${oneLine.slice(0, MAX_ERROR_CHARS)}…` : oneLine);
    };
    const onData = (chunk: Buffer): void => {
      text += decoder.write(chunk);
      if (text.length >= MAX_ERROR_CHARS) done();
    };
    if (body.destroyed) done();
    else body.on('data', onData).once('end', done).once('error', done).once('close', done);
  });
}

/**
 * Lets go of a body nobody needs. One already received in full is read to its end (a tick), so
 * its connection carries the next delivery; one still arriving is read in the background and cut
 * off with its connection if it has not ended after `ms`.
 */
function releaseBody(response: OpenedResponse, ms: number): Promise<void> {
  const { body } = response;
  if (body.destroyed) return Promise.resolve();
  body.on('error', () => undefined);
  if (response.complete) {
    const ended = new Promise<void>((resolve) => body.once('end', resolve).once('close', resolve));
    body.resume();
    return ended;
  }
  const timer = setTimeout(() => body.destroy(), ms);
  timer.unref();
  body.once('close', () => clearTimeout(timer));
  body.resume();
  return Promise.resolve();
}

function requestErrorOutcome(
  err: unknown,
  latencyMs: number,
  scrub: (text: string) => string,
): DeliveryOutcome {
  const cause = err instanceof Error ? err.cause : undefined;
  if (err instanceof TypeError && cause === undefined) {
    // The transport could not build the request (a malformed header name or value, ...):
    // retrying cannot help. Quoted parts are dropped: they may echo a configured header value.
    return rejected(latencyMs, scrub(`invalid request: ${err.message.replace(/"[^"]*"/g, '"…"')}`));
  }
  return failed(latencyMs, scrub(`network error: ${describeCause(cause ?? err)}`));
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  const nested: unknown = cause instanceof AggregateError ? cause.errors[0] : undefined;
  const message =
    cause.message !== '' ? cause.message : nested instanceof Error ? nested.message : '';
  if (typeof code === 'string' && !message.includes(code)) return `${code} ${message}`.trim();
  return message !== '' ? message : cause.name;
}
