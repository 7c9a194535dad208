import type { TektonConfig } from '../config/config-types.js';
import type { DeliveryRecord } from '../storage/delivery-record.js';
import { retryDelayMs } from './retry-delay.js';
import type { DeliveryOutcome } from './send-delivery.js';

/** What the retry decision reads of one attempt's outcome. */
export type AttemptOutcome = Pick<
  DeliveryOutcome,
  'ok' | 'statusCode' | 'retryable' | 'retryAfterMs' | 'error' | 'code'
>;

export interface RetryInput {
  readonly outcome: AttemptOutcome;
  /** The delivery's attempt counts before this attempt (a redeliver starts a new round). */
  readonly before: Pick<DeliveryRecord, 'attempts' | 'roundAttempts'>;
  readonly policy: Pick<TektonConfig, 'retryAttempts' | 'retryBackoffMs' | 'maxRetryBackoffMs'>;
  readonly now: number;
  /** Jitter source, in [0, 1]. */
  readonly random: () => number;
  /** Shutdown cut the attempt short: queue it again at once, and never give up because of it. */
  readonly stopping: boolean;
}

export type RetryDecision =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly at: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * What becomes of a delivery after an attempt: a 2xx is delivered; an outcome that is not
 * retryable (3xx, 4xx other than 408/429, a request that cannot be built) fails at once; a
 * retryable one (408, 429, 5xx, network error, timeout) is retried with backoff (Retry-After
 * honoured, max_retry_backoff the cap) until `tekton.retry_attempts` retries of the current round
 * are spent. Rounds start at creation and at each redeliver.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { outcome, policy } = input;
  if (outcome.ok) return { kind: 'delivered' };
  const reason = outcome.error ?? outcome.code;
  if (!outcome.retryable) return { kind: 'failed', reason };
  const roundAttempts = input.before.roundAttempts + 1;
  if (input.stopping) return { kind: 'retry', at: input.now, reason };
  if (roundAttempts > policy.retryAttempts) {
    return { kind: 'failed', reason: `${reason} (gave up after ${roundAttempts} attempts)` };
  }
  const delay = retryDelayMs(
    roundAttempts,
    { baseMs: policy.retryBackoffMs, maxMs: policy.maxRetryBackoffMs },
    outcome.retryAfterMs,
    input.random,
  );
  return { kind: 'retry', at: input.now + delay, reason };
}
