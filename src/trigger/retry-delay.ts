export interface RetryPolicy {
  /** First delay (tekton.retry_backoff). */
  readonly baseMs: number;
  /** Cap of every delay, Retry-After included (tekton.max_retry_backoff). */
  readonly maxMs: number;
}

/**
 * Delay before the next delivery attempt after `failedAttempts` failures: exponential from
 * `baseMs`, with "equal jitter" (half fixed, half random) so a fleet of deliveries that failed
 * together does not retry together, never shorter than the receiver's Retry-After, never longer
 * than `maxMs`.
 */
export function retryDelayMs(
  failedAttempts: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.round(Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}
