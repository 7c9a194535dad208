import { describe, expect, it } from 'vitest';
import { currentInterval, longestInterval } from './adaptive-interval.js';

const MINUTE = 60_000;
const repo = { pollingIntervalMs: MINUTE };
const on = { adaptive: { enabled: true, maxIntervalMs: 30 * MINUTE } };
const off = { adaptive: { enabled: false, maxIntervalMs: 30 * MINUTE } };

describe('currentInterval', () => {
  it('keeps the configured interval when adaptive polling is off or nothing is known', () => {
    expect(currentInterval(repo, off, 0, 100 * 60 * MINUTE)).toEqual({
      intervalMs: MINUTE,
      reason: 'configured',
    });
    expect(currentInterval(repo, on, null, 100 * MINUTE).reason).toBe('configured');
  });

  it('doubles step by step with the idle time, up to max_interval', () => {
    const after = (idleMinutes: number) =>
      currentInterval(repo, on, 0, idleMinutes * MINUTE).intervalMs / MINUTE;
    expect([0, 7, 8, 15, 16, 32, 64, 119, 120, 1_000].map(after)).toEqual([
      1, 1, 2, 2, 4, 8, 16, 16, 30, 30,
    ]);
    expect(currentInterval(repo, on, 0, 8 * MINUTE).reason).toBe('idle');
  });

  it('snaps back when the activity is recent', () => {
    expect(currentInterval(repo, on, 100 * MINUTE, 100 * MINUTE).intervalMs).toBe(MINUTE);
  });

  it('never goes below a repository interval longer than max_interval', () => {
    const slow = { pollingIntervalMs: 60 * MINUTE };
    expect(currentInterval(slow, on, 0, 1_000 * MINUTE)).toEqual({
      intervalMs: 60 * MINUTE,
      reason: 'configured',
    });
    expect(longestInterval(slow, on)).toBe(60 * MINUTE);
    expect(longestInterval(repo, on)).toBe(30 * MINUTE);
    expect(longestInterval(repo, off)).toBe(MINUTE);
  });
});
