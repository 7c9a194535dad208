/**
 * `npm run bench [-- OPTIONS]`: what a polling daemon's users care about, measured on this
 * machine against servers the bench starts on 127.0.0.1 (docs/benchmarks.md has the results of a
 * full run). Each figure is printed with its scenario as it is measured; a table of targets,
 * measured values and whether each target is met closes the run.
 *
 *   --quick                 small sizes, well under a minute (the test suite runs this)
 *   --only LIST             scenarios: polling, latency, events-api, drain, transport
 *                           (default: all)
 *   --sizes LIST            repositories of the quota runs (default 100,1000,10000); the largest
 *                           also gives the CPU, memory and start-up figures
 *   --cycles N              measured poll cycles per quota phase (default 3)
 *   --memory-early DURATION, --memory-late DURATION   memory sample points (default 5m, 30m)
 *   --changes N             changes of the latency scenario (default 1000)
 *   --events N              events in the database of the events-API scenario (default 1000000)
 *   --drain N               pending deliveries of the drain scenario (default 10000)
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
import { inspect, parseArgs } from 'node:util';
import { parseDuration } from '../src/config/parse-duration.js';
import { createContext, type BenchContext } from './bench-context.js';
import { FULL, QUICK, SCENARIOS, type BenchOptions, type Scenario } from './bench-options.js';
import { BenchReport } from './bench-report.js';
import { ROOT, killDaemons, pickRuntime, type DaemonRuntime } from './daemon-child.js';
import { startPollingRun } from './polling-run.js';
import { measureDrain } from './scenario-drain.js';
import { measureEventsApi } from './scenario-events-api.js';
import { measureLatency } from './scenario-latency.js';
import { measureQuota } from './scenario-quota.js';
import { measureResources, startSampler } from './scenario-resources.js';
import { measureRestart, reportColdStart } from './scenario-startup.js';
import { measureTransport } from './scenario-transport.js';
import { performance } from 'node:perf_hooks';

function readOptions(argv: string[]): { options: BenchOptions; json: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      sizes: { type: 'string' },
      cycles: { type: 'string' },
      'memory-early': { type: 'string' },
      'memory-late': { type: 'string' },
      changes: { type: 'string' },
      events: { type: 'string' },
      drain: { type: 'string' },
      'transport-polls': { type: 'string' },
      'transport-deliveries': { type: 'string' },
      'transport-rounds': { type: 'string' },
      runtime: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const base = values.quick ? QUICK : FULL;
  const count = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name}: not a positive integer: ${text}`);
    return value;
  };
  const duration = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    try {
      return parseDuration(text);
    } catch {
      throw new Error(`--${name}: not a duration: ${text}`);
    }
  };
  const scenarios =
    values.only === undefined
      ? base.scenarios
      : values.only.split(',').map((name) => {
          if (!(SCENARIOS as readonly string[]).includes(name)) {
            throw new Error(`--only: unknown scenario ${name} (known: ${SCENARIOS.join(', ')})`);
          }
          return name as Scenario;
        });
  const runtime = values.runtime ?? base.runtime;
  if (runtime !== 'auto' && runtime !== 'dist' && runtime !== 'source') {
    throw new Error(`--runtime: auto, dist or source, not ${runtime}`);
  }
  const options: BenchOptions = {
    ...base,
    scenarios,
    quotaSizes:
      values.sizes === undefined
        ? base.quotaSizes
        : values.sizes.split(',').map((size) => count('sizes', size, 0)),
    quotaCycles: count('cycles', values.cycles, base.quotaCycles),
    memoryEarlyMs: duration('memory-early', values['memory-early'], base.memoryEarlyMs),
    memoryLateMs: duration('memory-late', values['memory-late'], base.memoryLateMs),
    latencyChanges: count('changes', values.changes, base.latencyChanges),
    apiEvents: count('events', values.events, base.apiEvents),
    drainDeliveries: count('drain', values.drain, base.drainDeliveries),
    transportPolls: count('transport-polls', values['transport-polls'], base.transportPolls),
    transportDeliveries: count(
      'transport-deliveries',
      values['transport-deliveries'],
      base.transportDeliveries,
    ),
    transportRounds: count('transport-rounds', values['transport-rounds'], base.transportRounds),
    runtime,
  };
  return { options, json: values.json };
}

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

async function runScenario(ctx: BenchContext, scenario: Scenario): Promise<void> {
  const { options } = ctx;
  if (scenario === 'latency') return measureLatency(ctx);
  if (scenario === 'events-api') return measureEventsApi(ctx);
  if (scenario === 'drain') return measureDrain(ctx);
  if (scenario === 'transport') return measureTransport(ctx);
  const largest = Math.max(...options.quotaSizes);
  for (const n of options.quotaSizes) {
    const run = await startPollingRun(ctx, n);
    const sampler = n === largest ? startSampler(run, options.sampleEveryMs) : undefined;
    try {
      if (n === largest) reportColdStart(ctx, run);
      await measureQuota(ctx, run);
      if (sampler) {
        await measureResources(ctx, run, sampler, performance.now() - run.spawnedAt());
        await measureRestart(ctx, run);
      }
    } finally {
      sampler?.stop();
      await run.close();
    }
  }
}

async function main(): Promise<number> {
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const { options, json } = readOptions(process.argv.slice(2));
  const runtime = pickRuntime(options.runtime);
  const report = new BenchReport(print);
  const root = await mkdtemp(path.join(os.tmpdir(), 'reposentry-bench-'));
  // Interrupted (Ctrl-C, kill): no daemon outlives the bench, and its files go with it.
  process.once('exit', () => {
    killDaemons();
    rmSync(root, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      print(`\nbench interrupted by ${signal}`);
      process.exit(130);
    });
  }
  const ctx = createContext(options, report, runtime, root, print);
  print(`RepoSentry bench, ${options.mode} mode`);
  for (const line of describeMachine(runtime)) print(`  ${line}`);
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
    await rm(root, { recursive: true, force: true });
  }
  print('');
  print(`load average (1 min) at the end: ${os.loadavg()[0]?.toFixed(2) ?? '?'}`);
  print(report.table());
  if (json !== undefined) {
    await writeFile(
      json,
      report.toJson({ mode: options.mode, runtime, machine: describeMachine(runtime) }),
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
