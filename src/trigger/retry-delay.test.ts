import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.js';

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe('retryDelayMs', () => {
  it('doubles from retry_backoff with jitter between half and the whole step', () => {
    expect(retryDelayMs(1, policy, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, undefined, () => 1)).toBe(1_000);
    expect(retryDelayMs(4, policy, undefined, () => 1)).toBe(8_000);
    expect(retryDelayMs(4, policy, undefined, () => 0)).toBe(4_000);
  });

  it('never exceeds max_retry_backoff', () => {
    expect(retryDelayMs(30, policy, undefined, () => 1)).toBe(60_000);
  });

  it('waits at least as long as Retry-After asks, within the cap', () => {
    expect(retryDelayMs(1, policy, 20_000, () => 0)).toBe(20_000);
    expect(retryDelayMs(1, policy, 3_600_000, () => 0)).toBe(60_000);
  });
});
