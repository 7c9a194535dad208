/**
 * Adaptive polling on a fleet where 90 % of the repositories never change: the same fleet,
 * polled every second, by two daemons side by side, one with fixed intervals and one with
 * `polling.adaptive` (time scaled: a 1 s interval stands for a minute). The 10 % that change get
 * a push per round, a few repositories at a time, each waiting for its delivery. Figures: requests
 * and quota the fleet costs per second once the idle repositories are stretched, and the
 * push-to-delivery latency of the changes, for both.
 */
import type { BenchContext } from './bench-context.js';
import { formatNumber, percentile } from './bench-report.js';
import { wallClockMs } from './bench-receiver.js';
import { startPollingRun, type PollingRun } from './polling-run.js';

interface Measured {
  readonly requestsPerSecond: number;
  /** Quota units spent per change made during the phase (a 304 is free). */
  readonly unitsPerChange: number;
  readonly latencies: number[];
}

export async function measureAdaptive(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const n = options.adaptiveRepositories;
  const active = Math.max(1, Math.ceil(n / 10));
  const perRound = Math.max(1, Math.ceil(active / 10));
  const scenario = `adaptive polling N=${formatNumber(n)}`;
  ctx.log(
    `${scenario}: ${active} repositories change, ${perRound} per ${options.adaptiveRoundMs} ms; interval 1s, max_interval ${options.adaptiveMaxInterval}`,
  );
  const runOptions = { interval: '1s', manyBranches: false } as const;
  const fixed = await startPollingRun(ctx, n, runOptions);
  let adaptive: PollingRun | undefined;
  try {
    adaptive = await startPollingRun(ctx, n, {
      ...runOptions,
      adaptiveMaxInterval: options.adaptiveMaxInterval,
    });
    const [plain, stretched] = await Promise.all([
      drive(ctx, fixed, active, perRound),
      drive(ctx, adaptive, active, perRound),
    ]);
    const add = (key: string, label: string, value: number, unit: string): void =>
      void report.add({ key: `adaptive.${key}`, scenario, label, value, unit });
    add(
      'fixed.requests_per_second',
      'fixed intervals: requests per second',
      plain.requestsPerSecond,
      'req/s',
    );
    add(
      'adaptive.requests_per_second',
      'adaptive: requests per second once idle repositories are stretched',
      stretched.requestsPerSecond,
      'req/s',
    );
    add(
      'request_ratio',
      'adaptive / fixed requests',
      stretched.requestsPerSecond / plain.requestsPerSecond,
      'x',
    );
    add(
      'fixed.units_per_change',
      'fixed intervals: quota units per change (every unchanged poll a free 304)',
      plain.unitsPerChange,
      'units',
    );
    add(
      'adaptive.units_per_change',
      'adaptive: quota units per change',
      stretched.unitsPerChange,
      'units',
    );
    add(
      'fixed.latency_p50_ms',
      'fixed: push to delivery of the changing 10 %, p50',
      percentile(plain.latencies, 50),
      'ms',
    );
    add(
      'fixed.latency_p99_ms',
      'fixed: push to delivery, p99',
      percentile(plain.latencies, 99),
      'ms',
    );
    add(
      'adaptive.latency_p50_ms',
      'adaptive: push to delivery of the changing 10 %, p50',
      percentile(stretched.latencies, 50),
      'ms',
    );
    add(
      'adaptive.latency_p99_ms',
      'adaptive: push to delivery, p99',
      percentile(stretched.latencies, 99),
      'ms',
    );
  } finally {
    await Promise.all([fixed.close(), adaptive?.close()]);
  }
}

/**
 * Changes `perRound` of the first `active` repositories per round (in turn) and waits for their
 * deliveries, through the warm-up (while adaptive polling stretches the idle ones) and the
 * measured phase; counts what the fleet cost during the phase.
 */
async function drive(
  ctx: BenchContext,
  run: PollingRun,
  active: number,
  perRound: number,
): Promise<Measured> {
  const { options } = ctx;
  await run.completeCycle(1);
  const startedAt = wallClockMs();
  const measureFrom = startedAt + options.adaptiveWarmupMs;
  const until = measureFrom + options.adaptivePhaseMs;
  let made = 0;
  let next = 0;
  let from: { requests: number; units: number; at: number } | undefined;
  const latencies: number[] = [];
  let changes = 0;
  while (wallClockMs() < until) {
    if (from === undefined && wallClockMs() >= measureFrom) {
      const counts = run.github.counts('daemon');
      from = { requests: counts.requests, units: counts.quotaUnits, at: wallClockMs() };
    }
    const roundStart = wallClockMs();
    for (let j = 0; j < perRound; j += 1) {
      run.github.push(next % active);
      next += 1;
    }
    made += perRound;
    await run.receiver.waitForEvents(made, options.stepTimeoutMs);
    if (from !== undefined) {
      changes += perRound;
      for (const arrival of run.receiver.arrivals().slice(made - perRound, made)) {
        latencies.push(arrival.atMs - roundStart);
      }
    }
    const rest = roundStart + options.adaptiveRoundMs - wallClockMs();
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  }
  const counts = run.github.counts('daemon');
  const start = from ?? { requests: counts.requests, units: counts.quotaUnits, at: startedAt };
  const seconds = Math.max(0.001, (wallClockMs() - start.at) / 1000);
  return {
    requestsPerSecond: (counts.requests - start.requests) / seconds,
    unitsPerChange: (counts.quotaUnits - start.units) / Math.max(1, changes),
    latencies,
  };
}
