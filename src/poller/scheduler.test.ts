import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import type { Config, RepositoryConfig } from '../config/config-types.js';
import { ReposentryError } from '../errors/reposentry-error.js';
import { Scheduler, type PollOutcome } from './scheduler.js';

function repo(name: string, pollingIntervalMs = 60_000): RepositoryConfig {
  return {
    name,
    url: `https://github.com/org/${name}`,
    provider: 'github',
    branchPattern: '.*',
    branchRegex: /.*/,
    pollingIntervalMs,
    enabled: true,
    eventListenerUrl: 'http://127.0.0.1:1/',
    payloadFormat: 'github',
  };
}

function config(
  repositories: RepositoryConfig[],
  polling: Partial<Config['polling']> = {},
): Config {
  return {
    polling: {
      intervalMs: 60_000,
      timeoutMs: 5_000,
      maxWorkers: 2,
      jitter: 0,
      triggerOnFirstSeen: false,
      enableApiFallback: true,
      retryAttempts: 0,
      retryBackoffMs: 1,
      adaptive: { enabled: false, maxIntervalMs: 1_800_000 },
      ...polling,
    },
    repositories,
  } as unknown as Config;
}

interface Harness {
  scheduler: Scheduler;
  polls: string[];
  active: Set<string>;
  maxActive: () => number;
  release: (name: string, outcome?: PollOutcome) => void;
}

function harness(cfg: Config, autoComplete = true): Harness {
  const polls: string[] = [];
  const active = new Set<string>();
  const pending = new Map<string, (o: PollOutcome) => void>();
  let maxActive = 0;
  const { log } = createCaptureLogger();
  const scheduler = new Scheduler({
    config: cfg,
    log,
    random: () => 0.5,
    pollOne: (r) => {
      polls.push(r.name);
      active.add(r.name);
      maxActive = Math.max(maxActive, active.size);
      return new Promise<PollOutcome>((resolve) => {
        const done = (o: PollOutcome): void => {
          active.delete(r.name);
          resolve(o);
        };
        if (autoComplete) done({ ok: true });
        else pending.set(r.name, done);
      });
    },
  });
  return {
    scheduler,
    polls,
    active,
    maxActive: () => maxActive,
    release: (name, outcome = { ok: true }) => {
      const done = pending.get(name);
      pending.delete(name);
      done?.(outcome);
    },
  };
}

describe('Scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls every repository right after start, then once per interval', async () => {
    const h = harness(config([repo('a', 60_000), repo('b', 120_000)]));
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.polls.sort()).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.polls.filter((p) => p === 'a')).toHaveLength(2);
    expect(h.polls.filter((p) => p === 'b')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.polls.filter((p) => p === 'a')).toHaveLength(3);
    expect(h.polls.filter((p) => p === 'b')).toHaveLength(2);
    expect(h.scheduler.entry('a')?.nextPollAt?.toISOString()).toBe('2026-01-01T00:03:00.000Z');
    await h.scheduler.stop(new AbortController().signal);
  });

  it("counts a successful poll's interval from its start, not its end", async () => {
    const h = harness(config([repo('a', 60_000)]), false);
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.polls).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(10_000);
    h.release('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.scheduler.entry('a')?.nextPollAt?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    await vi.advanceTimersByTimeAsync(50_000);
    expect(h.polls).toEqual(['a', 'a']);
    h.release('a');
    await h.scheduler.stop(new AbortController().signal);
  });

  it('keeps at most max_workers polls in flight and never two of one repository', async () => {
    const h = harness(
      config([repo('a'), repo('b'), repo('c'), repo('d')], { maxWorkers: 2 }),
      false,
    );
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.active.size).toBe(2);
    expect(h.scheduler.pollNow('a')).toBe(false);
    h.release('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.active.size).toBe(2);
    for (const name of ['b', 'c', 'd']) h.release(name);
    await vi.advanceTimersByTimeAsync(0);
    h.release('d');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.maxActive()).toBe(2);
    expect(h.polls.sort()).toEqual(['a', 'b', 'c', 'd']);
    await h.scheduler.stop(new AbortController().signal);
  });

  it('spreads the next poll by the configured jitter', async () => {
    const cfg = config([repo('a', 100_000)], { jitter: 0.1 });
    const { log } = createCaptureLogger();
    const scheduler = new Scheduler({
      config: cfg,
      log,
      random: () => 1,
      pollOne: () => Promise.resolve({ ok: true }),
    });
    await scheduler.start();
    // The first poll too: within jitter of an interval (here its end, random() = 1).
    expect(scheduler.entry('a')?.nextPollAt?.getTime()).toBe(Date.now() + 10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(scheduler.entry('a')?.nextPollAt?.getTime()).toBe(Date.now() + 110_000);
    await scheduler.stop(new AbortController().signal);
  });

  it('spreads the first cycle of many repositories over jitter of an interval', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `r${i}`);
    const cfg = config(
      names.map((name) => repo(name, 60_000)),
      { jitter: 0.1, maxWorkers: 100 },
    );
    let draw = 0;
    const polledAt: number[] = [];
    const scheduler = new Scheduler({
      config: cfg,
      log: createCaptureLogger().log,
      random: () => (draw++ % 100) / 100,
      pollOne: () => {
        polledAt.push(Date.now());
        return Promise.resolve({ ok: true });
      },
    });
    const start = Date.now();
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(polledAt.length).toBeLessThan(5);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(polledAt).toHaveLength(100);
    expect(Math.max(...polledAt) - start).toBeGreaterThan(5_000);
    await scheduler.stop(new AbortController().signal);
  });

  it('resumes the stored schedule after a restart: ahead waits, overdue and new poll at once', async () => {
    const now = Date.now();
    const stored: Record<string, number> = {
      ahead: now + 40_000,
      overdue: now - 5_000,
      // Further than the (since shortened) interval: capped at one interval.
      far: now + 10 * 60_000,
    };
    const polls: string[] = [];
    const scheduler = new Scheduler({
      config: config([repo('ahead'), repo('overdue'), repo('far'), repo('new')], { maxWorkers: 4 }),
      log: createCaptureLogger().log,
      storedNextPollAts: () => Promise.resolve(new Map(Object.entries(stored))),
      pollOne: (r) => {
        polls.push(r.name);
        return Promise.resolve({ ok: true });
      },
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls.sort()).toEqual(['new', 'overdue']);
    expect(scheduler.entry('ahead')?.nextPollAt?.getTime()).toBe(now + 40_000);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(polls.sort()).toEqual(['ahead', 'new', 'overdue']);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(polls.filter((name) => name === 'far')).toHaveLength(1);
    await scheduler.stop(new AbortController().signal);
  });

  it('polls only the repositories its share holds, and follows the share when it changes', async () => {
    const now = Date.now();
    const held = new Set(['a', 'b']);
    const stored: Record<string, number> = { c: now + 30_000, d: now - 1_000 };
    const polls: string[] = [];
    const scheduler = new Scheduler({
      config: config([repo('a'), repo('b'), repo('c'), repo('d')], { maxWorkers: 4 }),
      log: createCaptureLogger().log,
      share: { holds: (name) => held.has(name) },
      storedNextPollAts: () => Promise.resolve(new Map(Object.entries(stored))),
      pollOne: (r) => {
        polls.push(r.name);
        return Promise.resolve({ ok: true });
      },
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls.sort()).toEqual(['a', 'b']);
    expect(
      scheduler
        .entries()
        .map((e) => e.repository)
        .sort(),
    ).toEqual(['a', 'b']);

    // b handed over; c (due in 30 s) and d (overdue: its holder died) taken over.
    held.delete('b');
    held.add('c');
    held.add('d');
    await scheduler.reshare();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls.sort()).toEqual(['a', 'b', 'd']);
    expect(scheduler.entry('b')).toBeUndefined();
    expect(scheduler.entry('c')?.nextPollAt?.getTime()).toBe(now + 30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(polls.filter((name) => name === 'c')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polls.filter((name) => name === 'b')).toHaveLength(1);
    expect(polls.filter((name) => name === 'a')).toHaveLength(2);
    expect(() => scheduler.pollNow('b')).toThrow(/not being polled/);

    // A lease that lapsed before the next reshare (heartbeats failing): no poll without it,
    // and the poll follows within a second of the lease coming back.
    held.clear();
    const before = polls.length;
    expect(scheduler.pollNow('a')).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(polls).toHaveLength(before);
    held.add('a');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(polls).toHaveLength(before + 1);
    await scheduler.stop(new AbortController().signal);
  });

  it('stores the earliest next poll before listing, and polls nothing when that fails', async () => {
    const stored: string[] = [];
    const polls: string[] = [];
    let storing: 'ok' | 'fail' = 'ok';
    const capture = createCaptureLogger();
    const scheduler = new Scheduler({
      config: config([repo('a', 60_000)]),
      log: capture.log,
      beforePoll: (name, earliest) => {
        stored.push(`${name}@${earliest.toISOString()}`);
        return storing === 'ok'
          ? Promise.resolve()
          : Promise.reject(new ReposentryError('storage-busy', 'The database is busy'));
      },
      pollOne: (r) => {
        polls.push(`${r.name}@${new Date().toISOString()}`);
        return Promise.resolve({ ok: true });
      },
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(stored).toEqual(['a@2026-01-01T00:01:00.000Z']);
    expect(polls).toEqual(['a@2026-01-01T00:00:00.000Z']);

    storing = 'fail';
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stored).toHaveLength(2);
    expect(polls).toHaveLength(1);
    expect(scheduler.entry('a')).toMatchObject({
      consecutiveFailures: 1,
      lastCode: 'storage-busy',
    });
    await scheduler.stop(new AbortController().signal);
  });

  it('makes a burst of nudges one poll, and a nudge during a poll one more right after', async () => {
    const h = harness(config([repo('a', 60_000)]), false);
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    h.release('a');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.polls).toEqual(['a']);

    for (let i = 0; i < 50; i += 1) expect(h.scheduler.nudge('a')).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.polls).toEqual(['a', 'a']);

    // The poll runs: a nudge now (the listing may be older than the change) polls once more.
    h.scheduler.nudge('a');
    h.scheduler.nudge('a');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.polls).toHaveLength(2);
    h.release('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.polls).toHaveLength(3);
    h.release('a');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.polls).toHaveLength(3);
    expect(h.scheduler.nudge('unknown')).toBe(false);

    // A failing repository keeps its backoff whatever the webhooks say.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.polls).toHaveLength(4);
    h.release('a', { ok: false, code: 'forge-unavailable' });
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 5; i += 1) {
      h.scheduler.nudge('a');
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(h.polls).toHaveLength(4);
    await h.scheduler.stop(new AbortController().signal);
  });

  it('polls a repository whose interval is longer than a timer can wait only when due', async () => {
    const days = 40 * 24 * 3_600_000;
    const h = harness(config([repo('slow', days)]));
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.polls).toEqual(['slow']);
    await vi.advanceTimersByTimeAsync(30 * 24 * 3_600_000);
    expect(h.polls).toEqual(['slow']);
    await vi.advanceTimersByTimeAsync(10 * 24 * 3_600_000);
    expect(h.polls).toEqual(['slow', 'slow']);
    await h.scheduler.stop(new AbortController().signal);
  });

  it('backs off a failing repository, caps the backoff and resets it on success', async () => {
    const outcomes: PollOutcome[] = [
      { ok: false, code: 'forge-unavailable' },
      { ok: false, code: 'forge-unavailable' },
      { ok: false, code: 'forge-unavailable' },
      { ok: true },
    ];
    const { log } = createCaptureLogger();
    const scheduler = new Scheduler({
      config: config([repo('a', 60_000)]),
      log,
      random: () => 0.5,
      maxFailureBackoffMs: 150_000,
      pollOne: () => Promise.resolve(outcomes.shift() ?? { ok: true }),
    });
    const delays: number[] = [];
    await scheduler.start();
    for (let i = 0; i < 4; i += 1) {
      await vi.advanceTimersByTimeAsync(0);
      const next = scheduler.entry('a')!.nextPollAt!.getTime() - Date.now();
      delays.push(next);
      await vi.advanceTimersByTimeAsync(next);
    }
    expect(delays).toEqual([60_000, 120_000, 150_000, 60_000]);
    expect(scheduler.entry('a')?.consecutiveFailures).toBe(0);
    await scheduler.stop(new AbortController().signal);
  });

  it('waits for the rate-limit reset before polling a rate-limited repository again', async () => {
    const { log } = createCaptureLogger();
    const resetAt = new Date(Date.now() + 3_600_000);
    const scheduler = new Scheduler({
      config: config([repo('a', 60_000)]),
      log,
      pollOne: () => Promise.resolve({ ok: false, code: 'forge-rate-limited', retryAt: resetAt }),
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.entry('a')?.nextPollAt?.getTime()).toBe(resetAt.getTime());
    await scheduler.stop(new AbortController().signal);
  });

  it('adds, removes and re-times repositories when a new config is applied', async () => {
    const h = harness(config([repo('a', 60_000), repo('b', 60_000)]));
    await h.scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000);
    h.scheduler.applyConfig(config([repo('a', 20_000), repo('c', 60_000)]));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.polls.filter((p) => p === 'c')).toHaveLength(1);
    expect(h.scheduler.entry('b')).toBeUndefined();
    expect(h.scheduler.entry('a')?.nextPollAt?.getTime()).toBe(Date.now() + 10_000);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.polls.filter((p) => p === 'b')).toHaveLength(1);
    expect(h.polls.filter((p) => p === 'a').length).toBeGreaterThanOrEqual(7);
    await h.scheduler.stop(new AbortController().signal);
  });

  it('cancels in-flight polls as soon as it is stopped', async () => {
    const { log } = createCaptureLogger();
    let aborted = false;
    const scheduler = new Scheduler({
      config: config([repo('a')], { timeoutMs: 600_000 }),
      log,
      pollOne: (_r, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ ok: false, code: 'shutting-down' });
          });
        }),
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    await scheduler.stop(new AbortController().signal);
    expect(aborted).toBe(true);
  });

  it('rejects a poll-now request for an unknown repository', async () => {
    const h = harness(config([repo('a')]));
    await h.scheduler.start();
    expect(() => h.scheduler.pollNow('zzz')).toThrow(/not being polled/);
    await h.scheduler.stop(new AbortController().signal);
  });
});
