/**
 * One signed delivery POST over undici 7 (`request` on an Agent), for the transport scenario,
 * which measures it against sendDelivery over a RequestOpener (src/trigger/send-delivery.ts).
 *
 * It does what sendDelivery does around the transport on the way of a delivery that arrives, so
 * that the two differ by the transport alone: the URL is checked and `user:pass@` moved into an
 * Authorization header, the secrets an error text would be scrubbed of are collected, redirects
 * are not followed, the attempt is bounded by `timeoutMs` (undici's own headers and body
 * timeouts here, where sendDelivery arms a timer and an AbortController) and stopped by the
 * shutdown signal, and the body of a 2xx answer is read and dropped so that its connection
 * carries the next delivery. Error texts are kept short and are not scrubbed: nothing here is
 * logged, and the bench's deliveries all arrive.
 */
import { performance } from 'node:perf_hooks';
import { errors, request, type Dispatcher } from 'undici';
import { credentialHeaderValues, urlCredentials } from '../src/logging/redact.js';
import { SecretRegistry } from '../src/logging/secret-registry.js';
import type { DeliveryOutcome } from '../src/trigger/send-delivery.js';

export interface UndiciDeliveryRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly dispatcher: Dispatcher;
}

export async function sendDeliveryWithUndici(
  delivery: UndiciDeliveryRequest,
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const url = new URL(delivery.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      latencyMs: elapsed(),
      retryable: false,
      error: 'invalid event listener URL',
      code: 'delivery-rejected',
    };
  }
  const headers = { ...delivery.headers };
  if (url.username !== '' || url.password !== '') {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.Authorization ??= `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  // As sendDelivery: the values an error text must never carry, collected before sending.
  new SecretRegistry([
    ...credentialHeaderValues(headers),
    new URL(delivery.url).password,
    ...urlCredentials(delivery.url),
  ]);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      dispatcher: delivery.dispatcher,
      method: 'POST',
      headers,
      body: delivery.body,
      signal: delivery.signal ?? null,
      headersTimeout: delivery.timeoutMs,
      bodyTimeout: delivery.timeoutMs,
    });
  } catch (err) {
    const error =
      err instanceof errors.HeadersTimeoutError
        ? `timed out after ${delivery.timeoutMs}ms`
        : delivery.signal?.aborted === true
          ? 'aborted'
          : `network error: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, latencyMs: elapsed(), retryable: true, error, code: 'delivery-failed' };
  }
  const latencyMs = elapsed();
  const status = response.statusCode;
  if (status >= 200 && status < 300) {
    await response.body.dump();
    return { ok: true, statusCode: status, latencyMs, retryable: false, code: 'delivered' };
  }
  const snippet = (await response.body.text().catch(() => '')).slice(0, 200);
  const retryable = status === 408 || status === 429 || status >= 500;
  return {
    ok: false,
    statusCode: status,
    latencyMs,
    retryable,
    error: `HTTP ${status}: ${snippet}`,
    code: retryable ? 'delivery-failed' : 'delivery-rejected',
  };
}
