/**
 * Figure 2: the daemon's CPU time per repository poll and its resident memory at steady state,
 * read from /proc/<pid>/stat and /proc/<pid>/status of the daemon process while it polls N
 * repositories, and memory late in the run versus early (no growth). On PostgreSQL the database's
 * work is done by the server's backends, not in the daemon: their CPU time is reported beside it.
 */
import { performance } from 'node:perf_hooks';
import { sleep, type BenchContext } from './bench-context.js';
import { engineKey, onEngine } from './bench-options.js';
import { atMost, formatNumber, median } from './bench-report.js';
import type { PollingRun } from './polling-run.js';

interface Sample {
  /** Milliseconds since the daemon was spawned. */
  readonly atMs: number;
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  /** Polls the server has seen so far (page 1 of a repository's branches). */
  readonly polls: number;
  /** CPU seconds of the PostgreSQL backends serving the daemon (undefined on SQLite). */
  readonly dbCpuSeconds: number | undefined;
}

export interface ResourceSampler {
  readonly samples: readonly Sample[];
  /** Stops sampling after one last sample. */
  stop(): Promise<void>;
}

/** Samples the current daemon (and its database backends) every `everyMs` until stopped. */
export function startSampler(run: PollingRun, everyMs: number): ResourceSampler {
  const samples: Sample[] = [];
  let taking: Promise<void> = Promise.resolve();
  const takeOne = async (): Promise<void> => {
    let sample: Omit<Sample, 'dbCpuSeconds'>;
    try {
      sample = {
        atMs: performance.now() - run.spawnedAt(),
        ...run.daemon().sample(),
        polls: run.github.totalPolls(),
      };
    } catch {
      return; // the process is gone: nothing to sample
    }
    const dbCpuSeconds = await run.database.serverCpuSeconds().catch(() => undefined);
    samples.push({ ...sample, dbCpuSeconds });
  };
  // One sample at a time, in order.
  const take = (): Promise<void> => (taking = taking.then(takeOne));
  void take();
  const timer = setInterval(() => void take(), everyMs);
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      await take();
    },
  };
}

const MB = 1024 * 1024;

function minutes(ms: number): string {
  return ms >= 60_000 ? `${formatNumber(ms / 60_000)} min` : `${formatNumber(ms / 1000)} s`;
}

/**
 * Waits until the late memory point, then reports. `steadyFromMs` (since spawn) is when the
 * repositories stopped changing: CPU per poll is measured from there to the late point.
 */
export async function measureResources(
  ctx: BenchContext,
  run: PollingRun,
  sampler: ResourceSampler,
  steadyFromMs: number,
): Promise<void> {
  const { options, report } = ctx;
  const engine = run.database.engine;
  const key = (name: string): string => engineKey(`resources.${name}`, engine);
  const lateAtMs = Math.max(options.memoryLateMs, steadyFromMs + 12 * options.sampleEveryMs);
  const scenario = onEngine(`resources N=${formatNumber(run.n)}, interval ${run.interval}`, engine);
  const waitMs = lateAtMs - (performance.now() - run.spawnedAt());
  ctx.log(
    `${scenario}: sampling until ${minutes(lateAtMs)} after start (${minutes(Math.max(0, waitMs))} more)`,
  );
  if (waitMs > 0) await sleep(waitMs);
  await sampler.stop();
  const samples = sampler.samples;
  // The last 5 samples up to `atMs`; the first one after it when the daemon took longer than
  // that to get ready (a loaded machine in the quick mode), rather than no sample at all.
  const around = (atMs: number): Sample[] => {
    const before = samples.filter((s) => s.atMs <= atMs);
    const after = samples.find((s) => s.atMs > atMs);
    return before.length > 0 ? before.slice(-5) : after ? [after] : [];
  };
  const early = around(options.memoryEarlyMs);
  const late = around(lateAtMs);
  const rssEarly = median(early.map((s) => s.rssBytes)) / MB;
  const rssLate = median(late.map((s) => s.rssBytes)) / MB;
  const steady = samples.filter((s) => s.atMs >= steadyFromMs);
  const first = steady[0];
  const last = steady.at(-1);
  if (first === undefined || last === undefined || last.polls === first.polls) {
    throw new Error('bench: no polls in the steady-state window');
  }
  const polls = last.polls - first.polls;
  const cpuMsPerPoll = ((last.cpuSeconds - first.cpuSeconds) * 1000) / polls;
  const seconds = (last.atMs - first.atMs) / 1000;
  report.add({
    key: key('cpu_ms_per_poll'),
    scenario,
    label: `daemon CPU per unchanged repository poll (${formatNumber(polls)} polls from ${minutes(first.atMs)} to ${minutes(last.atMs)})`,
    value: cpuMsPerPoll,
    unit: 'ms',
    target: atMost(1, 'ms'),
  });
  if (first.dbCpuSeconds !== undefined && last.dbCpuSeconds !== undefined) {
    const dbMsPerPoll = ((last.dbCpuSeconds - first.dbCpuSeconds) * 1000) / polls;
    report.add({
      key: key('db_cpu_ms_per_poll'),
      scenario,
      label: "PostgreSQL backends' CPU per unchanged poll (the daemon's connections), same window",
      value: dbMsPerPoll,
      unit: 'ms',
    });
    report.add({
      key: key('total_cpu_ms_per_poll'),
      scenario,
      label: 'daemon + PostgreSQL backends CPU per unchanged poll',
      value: cpuMsPerPoll + dbMsPerPoll,
      unit: 'ms',
    });
  }
  report.add({
    key: key('polls_per_second'),
    scenario,
    label: 'polls per second in that window',
    value: polls / seconds,
    unit: 'polls/s',
  });
  report.add({
    key: key('cpu_percent'),
    scenario,
    label: 'daemon CPU use in that window (one core = 100 %)',
    value: ((last.cpuSeconds - first.cpuSeconds) / seconds) * 100,
    unit: '%',
  });
  report.add({
    key: key('rss_early_mb'),
    scenario,
    label: `RSS after ${minutes(options.memoryEarlyMs)}`,
    value: rssEarly,
    unit: 'MB',
  });
  report.add({
    key: key('rss_late_mb'),
    scenario,
    label: `RSS after ${minutes(lateAtMs)}`,
    value: rssLate,
    unit: 'MB',
    target: atMost(200, 'MB'),
  });
  report.add({
    key: key('rss_growth_percent'),
    scenario,
    label: `RSS growth from ${minutes(options.memoryEarlyMs)} to ${minutes(lateAtMs)}`,
    value: ((rssLate - rssEarly) / rssEarly) * 100,
    unit: '%',
    target: atMost(5, '%'),
  });
  report.add({
    key: key('rss_peak_mb'),
    scenario,
    label: 'peak RSS (VmHWM) over the run',
    value: Math.max(...samples.map((s) => s.peakRssBytes)) / MB,
    unit: 'MB',
  });
}
