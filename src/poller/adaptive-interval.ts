import type { PollingConfig, RepositoryConfig } from '../config/config-types.js';

/** An idle repository's interval stays within this share of the time since its last activity. */
export const IDLE_SHARE = 0.25;

export const INTERVAL_REASONS = ['configured', 'idle'] as const;
/** `configured`: the repository's own interval; `idle`: stretched because nothing changed. */
export type IntervalReason = (typeof INTERVAL_REASONS)[number];

export interface CurrentInterval {
  readonly intervalMs: number;
  readonly reason: IntervalReason;
}

/**
 * The time between two polls of a repository. With `polling.adaptive` on, a repository idle
 * since `activeAt` (its last change, poll-now or webhook nudge) has its interval doubled step
 * by step while the next step stays within IDLE_SHARE of that idle time, up to `max_interval`:
 * with a 1-minute interval it polls every 2 minutes after 8 idle minutes, every 4 after 16, and
 * so on. Pure: every replica computes the same from the stored `activeAt`.
 */
export function currentInterval(
  repo: Pick<RepositoryConfig, 'pollingIntervalMs'>,
  polling: Pick<PollingConfig, 'adaptive'>,
  activeAt: number | null | undefined,
  now: number,
): CurrentInterval {
  const base = repo.pollingIntervalMs;
  const configured: CurrentInterval = { intervalMs: base, reason: 'configured' };
  if (!polling.adaptive.enabled || activeAt === null || activeAt === undefined) return configured;
  const max = Math.max(base, polling.adaptive.maxIntervalMs);
  const allowed = Math.max(0, now - activeAt) * IDLE_SHARE;
  let interval = base;
  while (interval < max && interval * 2 <= allowed) interval *= 2;
  interval = Math.min(interval, max);
  // The last step may stop at max_interval between two doublings.
  if (interval < max && allowed >= max) interval = max;
  return interval === base ? configured : { intervalMs: interval, reason: 'idle' };
}

/** The furthest a stored next poll may lie ahead (an interval can stretch this far). */
export function longestInterval(
  repo: Pick<RepositoryConfig, 'pollingIntervalMs'>,
  polling: Pick<PollingConfig, 'adaptive'>,
): number {
  return polling.adaptive.enabled
    ? Math.max(repo.pollingIntervalMs, polling.adaptive.maxIntervalMs)
    : repo.pollingIntervalMs;
}
