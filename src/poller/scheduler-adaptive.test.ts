import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import type { Config, RepositoryConfig } from '../config/config-types.js';
import { Scheduler, type PollCause, type PollOutcome } from './scheduler.js';

const MINUTE = 60_000;

const repo: RepositoryConfig = {
  name: 'app',
  url: 'https://github.com/org/app',
  provider: 'github',
  branchPattern: '.*',
  branchRegex: /.*/,
  pollingIntervalMs: MINUTE,
  enabled: true,
  eventListenerUrl: 'http://127.0.0.1:1/',
  payloadFormat: 'github',
};

const config = (enabled: boolean): Config =>
  ({
    polling: {
      intervalMs: MINUTE,
      timeoutMs: 5_000,
      maxWorkers: 2,
      jitter: 0,
      triggerOnFirstSeen: false,
      enableApiFallback: true,
      retryAttempts: 0,
      retryBackoffMs: 1,
      adaptive: { enabled, maxIntervalMs: 30 * MINUTE },
    },
    repositories: [repo],
  }) as unknown as Config;

/**
 * A scheduler over one repository whose polls record a change when the test says so, keeping
 * the last activity as storage would (a change or an asked-for poll sets it).
 */
function harness(enabled: boolean) {
  const pollTimes: number[] = [];
  const causes: PollCause[] = [];
  let activeAt: number | undefined;
  let changeNext = false;
  let changedAt = -1;
  const scheduler = new Scheduler({
    config: config(enabled),
    log: createCaptureLogger().log,
    random: () => 0.5,
    pollOne: (_repo, _signal, cause): Promise<PollOutcome> => {
      const now = Date.now();
      pollTimes.push(now);
      causes.push(cause);
      if (changeNext) changedAt = pollTimes.length - 1;
      if (changeNext || cause.asked || activeAt === undefined) activeAt = now;
      changeNext = false;
      return Promise.resolve({ ok: true, activeAt });
    },
  });
  return {
    scheduler,
    pollTimes,
    causes,
    change: () => {
      changeNext = true;
    },
    /** The index in pollTimes of the poll that recorded the last change. */
    changedAt: () => changedAt,
    /** Minutes between the polls so far. */
    gaps: () => pollTimes.slice(1).map((t, i) => (t - (pollTimes[i] ?? 0)) / MINUTE),
  };
}

describe('Scheduler with adaptive polling', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('stretches an idle repository step by step up to max_interval', async () => {
    const h = harness(true);
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(6 * 60 * MINUTE);
    await h.scheduler.stop(new AbortController().signal);
    const gaps = h.gaps();
    expect(gaps.slice(0, 12)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(Math.max(...gaps)).toBe(30);
    // Never more than a doubling per step.
    gaps.slice(1).forEach((gap, i) => expect(gap).toBeLessThanOrEqual((gaps[i] ?? 0) * 2));
    // About 30 polls in 6 hours where a fixed minute would be 360.
    expect(h.pollTimes.length).toBeLessThan(40);
  });

  it('snaps back to the configured interval on a change, a poll-now and a nudge', async () => {
    const h = harness(true);
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(3 * 60 * MINUTE);
    expect(h.gaps().at(-1)).toBe(30);
    /** Minutes from the last poll so far to the one after it. */
    const nextGapAfter = async (): Promise<number> => {
      const index = h.pollTimes.length - 1;
      await vi.advanceTimersByTimeAsync(2 * MINUTE);
      return ((h.pollTimes[index + 1] ?? Infinity) - (h.pollTimes[index] ?? 0)) / MINUTE;
    };

    // A change: the poll that records it is followed a minute later.
    h.change();
    await vi.advanceTimersByTimeAsync(31 * MINUTE);
    const changed = h.changedAt();
    expect(changed).toBeGreaterThan(0);
    expect(((h.pollTimes[changed + 1] ?? 0) - (h.pollTimes[changed] ?? 0)) / MINUTE).toBe(1);

    await vi.advanceTimersByTimeAsync(3 * 60 * MINUTE);
    expect(h.gaps().at(-1)).toBe(30);
    expect(h.scheduler.pollNow('app')).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(h.causes.at(-1)).toEqual({ asked: true });
    expect(await nextGapAfter()).toBe(1);

    await vi.advanceTimersByTimeAsync(3 * 60 * MINUTE);
    h.scheduler.nudge('app');
    await vi.advanceTimersByTimeAsync(200);
    expect(h.causes.at(-1)).toEqual({ asked: true });
    expect(await nextGapAfter()).toBe(1);
    await h.scheduler.stop(new AbortController().signal);
  });

  it('keeps the configured interval when adaptive polling is off', async () => {
    const h = harness(false);
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * 60 * MINUTE);
    await h.scheduler.stop(new AbortController().signal);
    expect(new Set(h.gaps())).toEqual(new Set([1]));
  });

  it('applies adaptive polling turned off by a reload to the poll already scheduled', async () => {
    const h = harness(true);
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(3 * 60 * MINUTE);
    expect(h.gaps().at(-1)).toBe(30);
    const polls = h.pollTimes.length;
    h.scheduler.applyConfig(config(false));
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    expect(h.pollTimes.length).toBeGreaterThanOrEqual(polls + 5);
    expect(h.gaps().slice(-4)).toEqual([1, 1, 1, 1]);
    await h.scheduler.stop(new AbortController().signal);
  });
});
