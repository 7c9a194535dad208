/**
 * One polling set-up of the bench: a fake GitHub API with N repositories, a receiver standing in
 * for the EventListener, and the daemon (a child process with a database of its own: an SQLite
 * file, or a fresh PostgreSQL database) polling them. The quota, resource and start-up scenarios
 * all measure such a run.
 */
import { performance } from 'node:perf_hooks';
import { startBenchGithub, type BenchGithub } from './bench-github.js';
import { BENCH_TOKEN, BENCH_SECRET, DAEMON_ENV, writeBenchConfig } from './bench-config.js';
import { waitUntil, type BenchContext } from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import type { StorageEngine } from './bench-options.js';
import { startBenchReceiver, type BenchReceiver } from './bench-receiver.js';
import { freePort, metricSum, startDaemon, type DaemonChild } from './daemon-child.js';

/** Every 50th repository has 250 more branches: its listing takes 3 pages of 100. */
export const extraBranches = (index: number): number => (index % 50 === 0 ? 250 : 0);

export interface PollingRun {
  readonly n: number;
  readonly github: BenchGithub;
  readonly receiver: BenchReceiver;
  readonly interval: string;
  /** The daemon's database. */
  readonly database: BenchDatabase;
  /** The daemon now running (a new one after `restart`). */
  daemon(): DaemonChild;
  /** Milliseconds from spawning the first daemon to /readyz (empty database). */
  readonly coldStartMs: number;
  /** performance.now() when the current daemon was spawned. */
  spawnedAt(): number;
  /**
   * Waits until every repository has been polled at least `k` times by this set-up's daemons
   * (page 1 of its branches requested) and every poll started so far has finished.
   */
  completeCycle(k: number): Promise<void>;
  /** Waits until every repository has been polled again since `counts` (`github.pollCounts()`). */
  completeCycleSince(counts: Uint32Array): Promise<void>;
  /** Waits until every poll started so far has finished (counted in the daemon's /metrics). */
  settle(): Promise<void>;
  /** Polls the current daemon finished (success or error), from its /metrics. */
  finishedPolls(): Promise<number>;
  /** SIGTERM, then the daemon again on the same database; resolves with its start-up time. */
  restart(): Promise<{ startupMs: number; exitCode: number | null }>;
  close(): Promise<void>;
}

export interface PollingRunOptions {
  /** polling.interval; `options.intervalFor(n)` when absent. */
  readonly interval?: string;
  /** Every 50th repository gets 250 more branches (3 pages); default true. */
  readonly manyBranches?: boolean;
  /** The daemon's storage engine; default sqlite. */
  readonly engine?: StorageEngine;
  /** Serve the webhook intake (intake.enabled). */
  readonly intake?: boolean;
  /** Adaptive polling on, with this max_interval. */
  readonly adaptiveMaxInterval?: string;
}

export async function startPollingRun(
  ctx: BenchContext,
  n: number,
  runOptions: PollingRunOptions = {},
): Promise<PollingRun> {
  const timeout = ctx.options.stepTimeoutMs;
  const engine = runOptions.engine ?? 'sqlite';
  const github = await startBenchGithub({
    repositories: n,
    token: BENCH_TOKEN,
    ...(runOptions.manyBranches === false ? {} : { extraBranches }),
  });
  const receiver = await startBenchReceiver(BENCH_SECRET);
  const dir = await ctx.tempDir(
    `polling-${n}-${engine}${runOptions.adaptiveMaxInterval === undefined ? '' : '-adaptive'}`,
  );
  const database = await ctx.database(engine, dir).catch(async (err: unknown) => {
    await receiver.close();
    await github.close();
    throw err;
  });
  const port = await freePort();
  const interval = runOptions.interval ?? ctx.options.intervalFor(n);
  const configFile = await writeBenchConfig({
    dir,
    database,
    port,
    receiverUrl: receiver.url,
    github,
    repositories: n,
    interval,
    maxWorkers: ctx.options.maxWorkers,
    ...(runOptions.intake ? { intake: true } : {}),
    ...(runOptions.adaptiveMaxInterval === undefined
      ? {}
      : { adaptiveMaxInterval: runOptions.adaptiveMaxInterval }),
  });
  let spawnedAt = performance.now();
  let daemon = startDaemon(configFile, port, { runtime: ctx.runtime, env: DAEMON_ENV });
  // Polls the server saw from daemons that are gone (their own /metrics went with them).
  let pollsBefore = 0;
  const closeAll = async (): Promise<void> => {
    await daemon.stop();
    await receiver.close();
    await github.close();
    await database.close();
  };
  let coldStartMs: number;
  try {
    coldStartMs = await daemon.ready(timeout);
  } catch (err) {
    await closeAll();
    throw err;
  }
  const finishedPolls = async (): Promise<number> =>
    metricSum(await daemon.metrics(), 'reposentry_polls_total');
  const settle = async (): Promise<void> => {
    const started = github.totalPolls() - pollsBefore;
    await waitUntil(
      async () => (await finishedPolls()) >= started,
      timeout,
      `${started} polls finished`,
      50,
    );
  };
  return {
    n,
    github,
    receiver,
    interval,
    database,
    daemon: () => daemon,
    coldStartMs,
    spawnedAt: () => spawnedAt,
    async completeCycle(k) {
      await waitUntil(() => github.minPolls() >= k, timeout, `cycle ${k} of ${n} repositories`, 50);
      await settle();
    },
    async completeCycleSince(counts) {
      await waitUntil(
        () => github.polledSince(counts),
        timeout,
        `a cycle of ${n} repositories`,
        50,
      );
      await settle();
    },
    settle,
    finishedPolls,
    async restart() {
      const exitCode = await daemon.stop();
      pollsBefore = github.totalPolls();
      spawnedAt = performance.now();
      daemon = startDaemon(configFile, port, { runtime: ctx.runtime, env: DAEMON_ENV });
      return { startupMs: await daemon.ready(timeout), exitCode };
    },
    close: closeAll,
  };
}
