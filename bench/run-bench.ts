/**
 * `npm run bench [-- OPTIONS]`: what a polling daemon's users care about, measured on this
 * machine against servers the bench starts on 127.0.0.1 (docs/benchmarks.md has the results of a
 * full run). Each figure is printed with its scenario as it is measured; a table of targets,
 * measured values and whether each target is met closes the run.
 *
 *   --quick                 small sizes, well under a minute (the test suite runs this)
 *   --only LIST             scenarios: polling, latency, adaptive, events-api, drain, transport
 *                           (default: all)
 *   --sizes LIST            repositories of the quota runs (default 100,1000,10000); the largest
 *                           also gives the CPU, memory and start-up figures
 *   --cycles N              measured poll cycles per quota phase (default 3)
 *   --memory-early DURATION, --memory-late DURATION   memory sample points (default 5m, 30m)
 *   --changes N             changes of the latency scenario (default 1000)
 *   --events N              events in the database of the events-API scenario (default 1000000)
 *   --drain N               pending deliveries of the drain scenario (default 10000)
 *   --replicas N            daemons of the replicated drain on PostgreSQL (default 3; 1: not run)
 *   --storage LIST          engines of the polling, events-api and drain scenarios: sqlite,
 *                           postgres (default: both when the PostgreSQL server answers, else
 *                           sqlite with a notice). The server: REPOSENTRY_BENCH_POSTGRES_URL, or
 *                           postgres://postgres@127.0.0.1:5432/postgres; each run gets a fresh
 *                           database on it, dropped afterwards
 *   --transport-polls N, --transport-deliveries N, --transport-rounds N   unchanged polls and
 *                           deliveries per round, and rounds, of the transport scenario
 *                           (default 20000, 10000, 6)
 *   --runtime auto|dist|source   how the daemon runs (default auto: dist/ when it is up to date)
 *   --json FILE             also write every figure to FILE
 *
 * Exit code 0 when every scenario ran (missed targets are reported, not failed), 1 otherwise.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { createContext, type BenchContext } from './bench-context.js';
import { quotaSizesOn, type BenchOptions, type Scenario } from './bench-options.js';
import { benchPostgresUrl, describePostgres, redactedUrl } from './bench-postgres.js';
import { BenchReport } from './bench-report.js';
import { ROOT, killDaemons, pickRuntime, type DaemonRuntime } from './daemon-child.js';
import { startPollingRun } from './polling-run.js';
import { measureAdaptive } from './scenario-adaptive.js';
import { measureDrain } from './scenario-drain.js';
import { measureReplicatedDrain } from './scenario-drain-replicas.js';
import { measureEventsApi } from './scenario-events-api.js';
import { measureLatency } from './scenario-latency.js';
import { measureWebhookLatency } from './scenario-webhook-latency.js';
import { measureQuota } from './scenario-quota.js';
import { measureResources, startSampler } from './scenario-resources.js';
import { measureRestart, reportColdStart } from './scenario-startup.js';
import { measureTransport } from './scenario-transport.js';
import { pickEngines, readBenchOptions } from './read-bench-options.js';
import { performance } from 'node:perf_hooks';

function describeMachine(runtime: DaemonRuntime): string[] {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (dirty.trim() !== '') commit += ' (src/ modified)';
  } catch {
    // not a git checkout
  }
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, ${os.platform()} ${os.release()}`,
    `node ${process.version}; daemon from ${runtime === 'dist' ? 'dist/ (built)' : 'src/ through tsx'}; commit ${commit}`,
    `load average (1 min): ${os.loadavg()[0]?.toFixed(2) ?? '?'}`,
  ];
}

/**
 * One scenario on every engine of the run, one engine after the other for each size, so that the
 * two engines' figures of a size are measured close together in time.
 */
async function runScenario(ctx: BenchContext, scenario: Scenario): Promise<void> {
  const { options } = ctx;
  if (scenario === 'latency') {
    await measureLatency(ctx);
    return measureWebhookLatency(ctx);
  }
  if (scenario === 'transport') return measureTransport(ctx);
  if (scenario === 'adaptive') return measureAdaptive(ctx);
  if (scenario === 'events-api') {
    for (const engine of options.engines) await measureEventsApi(ctx, engine);
    return;
  }
  if (scenario === 'drain') {
    for (const engine of options.engines) await measureDrain(ctx, engine);
    if (options.engines.includes('postgres') && options.drainReplicas > 1) {
      await measureReplicatedDrain(ctx);
    }
    return;
  }
  const sizes = new Set(options.engines.flatMap((engine) => quotaSizesOn(options, engine)));
  for (const n of sizes) {
    for (const engine of options.engines) {
      if (!quotaSizesOn(options, engine).includes(n)) continue;
      const largest = Math.max(...quotaSizesOn(options, engine));
      const run = await startPollingRun(ctx, n, { engine });
      const sampler = n === largest ? startSampler(run, options.sampleEveryMs) : undefined;
      try {
        if (n === largest) reportColdStart(ctx, run);
        await measureQuota(ctx, run);
        if (sampler) {
          await measureResources(ctx, run, sampler, performance.now() - run.spawnedAt());
          await measureRestart(ctx, run);
        }
      } finally {
        await sampler?.stop();
        await run.close();
      }
    }
  }
}

async function main(): Promise<number> {
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const read = readBenchOptions(process.argv.slice(2));
  const postgresServer = benchPostgresUrl();
  // Only these scenarios run on each engine: no server is asked for the others.
  const onEngines = read.options.scenarios.some((scenario) =>
    (['polling', 'events-api', 'drain'] as const).some((name) => name === scenario),
  );
  const options: BenchOptions = {
    ...read.options,
    engines: onEngines ? await pickEngines(read.storage, postgresServer, print) : ['sqlite'],
  };
  const { json } = read;
  const runtime = pickRuntime(options.runtime);
  const report = new BenchReport(print);
  const root = await mkdtemp(path.join(os.tmpdir(), 'reposentry-bench-'));
  // Interrupted (Ctrl-C, kill): no daemon outlives the bench, and its files go with it.
  process.once('exit', () => {
    killDaemons();
    rmSync(root, { recursive: true, force: true });
  });
  const usesPostgres = options.engines.includes('postgres');
  const ctx = createContext(
    options,
    report,
    runtime,
    root,
    print,
    usesPostgres ? postgresServer : undefined,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      print(`\nbench interrupted by ${signal}`);
      // The daemons first (they hold connections to the databases), then their databases;
      // connections of the bench's own cut by the drop are of no interest any more.
      killDaemons();
      process.on('uncaughtException', () => undefined);
      const timeout = new Promise((resolve) => setTimeout(resolve, 5000));
      void Promise.race([ctx.closeDatabases(), timeout]).finally(() => process.exit(130));
    });
  }
  print(`RepoSentry bench, ${options.mode} mode`);
  for (const line of describeMachine(runtime)) print(`  ${line}`);
  print(
    `  storage: ${options.engines.join(', ')}` +
      (usesPostgres ? ` (PostgreSQL at ${redactedUrl(postgresServer)})` : ''),
  );
  if (usesPostgres) print(`  ${await describePostgres(postgresServer)}`);
  let failed: unknown;
  try {
    for (const scenario of options.scenarios) {
      print('');
      ctx.log(`scenario ${scenario}`);
      await runScenario(ctx, scenario);
    }
  } catch (err) {
    failed = err;
  } finally {
    killDaemons();
    await ctx.closeDatabases();
    await rm(root, { recursive: true, force: true });
  }
  print('');
  print(`load average (1 min) at the end: ${os.loadavg()[0]?.toFixed(2) ?? '?'}`);
  print(report.table());
  if (json !== undefined) {
    await writeFile(
      json,
      report.toJson({
        mode: options.mode,
        runtime,
        storage: options.engines,
        machine: describeMachine(runtime),
      }),
    );
  }
  if (failed !== undefined) {
    print(
      `\nbench FAILED: ${failed instanceof Error ? (failed.stack ?? failed.message) : inspect(failed)}`,
    );
    return 1;
  }
  print(`\nbench completed: ${report.figures.length} figures`);
  return 0;
}

process.exitCode = await main();
