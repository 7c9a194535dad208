import { describe, expect, it } from 'vitest';
import { decideRetry, type AttemptOutcome, type RetryDecision } from './decide-retry.js';
import { isRetryableStatus } from './send-delivery.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const SECOND = 1_000;
/** tekton.retry_attempts 8, retry_backoff 1s, max_retry_backoff 1m. */
const policy = { retryAttempts: 8, retryBackoffMs: SECOND, maxRetryBackoffMs: 60 * SECOND };

/** An answer from the EventListener, as sendDelivery reports it. */
function answered(status: number, extra: { retryAfterMs?: number; error?: string } = {}) {
  const ok = status >= 200 && status < 300;
  const retryable = isRetryableStatus(status);
  return {
    ok,
    statusCode: status,
    retryable,
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
    ...(ok ? {} : { error: extra.error ?? `HTTP ${status}` }),
    code: ok ? 'delivered' : retryable ? 'delivery-failed' : 'delivery-rejected',
  } satisfies AttemptOutcome;
}

/** No answer: a network error, a timeout, an abort (all retryable). */
function noAnswer(error: string): AttemptOutcome {
  return { ok: false, retryable: true, error, code: 'delivery-failed' };
}

interface Row {
  readonly name: string;
  readonly outcome: AttemptOutcome;
  /** The delivery's counts before this attempt: all attempts, and those of this round. */
  readonly before?: { readonly attempts: number; readonly roundAttempts: number };
  readonly retryAttempts?: number;
  readonly random?: () => number;
  readonly stopping?: boolean;
  readonly expected: RetryDecision;
}

const first = { attempts: 0, roundAttempts: 0 };
const third = { attempts: 2, roundAttempts: 2 };

const rows: Row[] = [
  { name: '200 is delivered', outcome: answered(200), expected: { kind: 'delivered' } },
  { name: '202 is delivered', outcome: answered(202), expected: { kind: 'delivered' } },
  {
    name: 'a 2xx on the last allowed attempt is delivered',
    outcome: answered(204),
    before: { attempts: 8, roundAttempts: 8 },
    expected: { kind: 'delivered' },
  },
  {
    name: '302 is not followed and not retried',
    outcome: answered(302, { error: 'HTTP 302 (redirects are not followed)' }),
    expected: { kind: 'failed', reason: 'HTTP 302 (redirects are not followed)' },
  },
  {
    name: '400 is not retried, whatever attempt it was',
    outcome: answered(400, { error: 'HTTP 400: invalid payload' }),
    before: third,
    expected: { kind: 'failed', reason: 'HTTP 400: invalid payload' },
  },
  {
    name: '404 is not retried',
    outcome: answered(404),
    expected: { kind: 'failed', reason: 'HTTP 404' },
  },
  {
    name: '408 is retried after retry_backoff (jitter at its top)',
    outcome: answered(408),
    expected: { kind: 'retry', at: NOW + SECOND, reason: 'HTTP 408' },
  },
  {
    name: '429 without Retry-After is retried with backoff',
    outcome: answered(429),
    before: third,
    expected: { kind: 'retry', at: NOW + 4 * SECOND, reason: 'HTTP 429' },
  },
  {
    name: '429 with Retry-After waits as long as asked',
    outcome: answered(429, { retryAfterMs: 30 * SECOND }),
    expected: { kind: 'retry', at: NOW + 30 * SECOND, reason: 'HTTP 429' },
  },
  {
    name: 'a Retry-After shorter than the backoff does not shorten it',
    outcome: answered(429, { retryAfterMs: SECOND }),
    before: third,
    expected: { kind: 'retry', at: NOW + 4 * SECOND, reason: 'HTTP 429' },
  },
  {
    name: 'a Retry-After above max_retry_backoff is capped',
    outcome: answered(503, { retryAfterMs: 3_600 * SECOND }),
    expected: { kind: 'retry', at: NOW + 60 * SECOND, reason: 'HTTP 503' },
  },
  {
    name: '500 doubles the delay at each attempt',
    outcome: answered(500, { error: 'HTTP 500: boom' }),
    before: third,
    expected: { kind: 'retry', at: NOW + 4 * SECOND, reason: 'HTTP 500: boom' },
  },
  {
    name: 'jitter takes off up to half of the step',
    outcome: answered(502),
    before: third,
    random: () => 0,
    expected: { kind: 'retry', at: NOW + 2 * SECOND, reason: 'HTTP 502' },
  },
  {
    name: 'a network error is retried',
    outcome: noAnswer('network error: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9'),
    expected: {
      kind: 'retry',
      at: NOW + SECOND,
      reason: 'network error: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9',
    },
  },
  {
    name: 'a timeout is retried',
    outcome: noAnswer('timed out after 10000ms'),
    before: { attempts: 1, roundAttempts: 1 },
    expected: { kind: 'retry', at: NOW + 2 * SECOND, reason: 'timed out after 10000ms' },
  },
  {
    name: 'a request that cannot be built is not retried',
    outcome: {
      ok: false,
      retryable: false,
      error: 'invalid request: x',
      code: 'delivery-rejected',
    },
    expected: { kind: 'failed', reason: 'invalid request: x' },
  },
  {
    name: 'an outcome without an error message is reported by its code',
    outcome: { ok: false, retryable: true, code: 'delivery-failed' },
    expected: { kind: 'retry', at: NOW + SECOND, reason: 'delivery-failed' },
  },
  {
    name: 'the last allowed attempt (retry_attempts retries after the first) still retries',
    outcome: answered(502),
    before: { attempts: 7, roundAttempts: 7 },
    expected: { kind: 'retry', at: NOW + 60 * SECOND, reason: 'HTTP 502' },
  },
  {
    name: 'one more failure gives up and says after how many attempts',
    outcome: answered(502),
    before: { attempts: 8, roundAttempts: 8 },
    expected: { kind: 'failed', reason: 'HTTP 502 (gave up after 9 attempts)' },
  },
  {
    name: 'with retry_attempts 0 the first failure is final',
    outcome: noAnswer('timed out after 10000ms'),
    retryAttempts: 0,
    expected: { kind: 'failed', reason: 'timed out after 10000ms (gave up after 1 attempts)' },
  },
  {
    name: 'a redelivered delivery counts its attempts from the redeliver again',
    outcome: answered(503),
    before: { attempts: 9, roundAttempts: 0 },
    expected: { kind: 'retry', at: NOW + SECOND, reason: 'HTTP 503' },
  },
  {
    name: 'a redelivered delivery backs off from retry_backoff again',
    outcome: answered(503),
    before: { attempts: 11, roundAttempts: 2 },
    expected: { kind: 'retry', at: NOW + 4 * SECOND, reason: 'HTTP 503' },
  },
  {
    name: 'a redelivered delivery gives up when its round is spent',
    outcome: answered(503),
    before: { attempts: 17, roundAttempts: 8 },
    expected: { kind: 'failed', reason: 'HTTP 503 (gave up after 9 attempts)' },
  },
  {
    name: 'an attempt cut short by shutdown is queued again at once',
    outcome: noAnswer('aborted'),
    before: third,
    stopping: true,
    expected: { kind: 'retry', at: NOW, reason: 'aborted' },
  },
  {
    name: 'shutdown never turns the last attempt into a failure',
    outcome: answered(503),
    before: { attempts: 8, roundAttempts: 8 },
    stopping: true,
    expected: { kind: 'retry', at: NOW, reason: 'HTTP 503' },
  },
  {
    name: 'shutdown does not retry what is not retryable',
    outcome: answered(404),
    stopping: true,
    expected: { kind: 'failed', reason: 'HTTP 404' },
  },
];

describe('decideRetry', () => {
  it.each(rows)('$name', (row) => {
    const decision = decideRetry({
      outcome: row.outcome,
      before: row.before ?? first,
      policy: { ...policy, retryAttempts: row.retryAttempts ?? policy.retryAttempts },
      now: NOW,
      random: row.random ?? (() => 1),
      stopping: row.stopping ?? false,
    });
    expect(decision).toEqual(row.expected);
  });

  it('draws jitter from the random source it is given', () => {
    const decide = (random: () => number): RetryDecision =>
      decideRetry({
        outcome: answered(500),
        before: third,
        policy,
        now: NOW,
        random,
        stopping: false,
      });
    expect(decide(() => 0.5)).toEqual({ kind: 'retry', at: NOW + 3 * SECOND, reason: 'HTTP 500' });
    expect(decide(() => 0)).not.toEqual(decide(() => 1));
  });
});
