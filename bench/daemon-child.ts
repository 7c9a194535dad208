/**
 * The daemon under test as a separate process, `reposentry run -c FILE`: from the built dist/
 * when it is at least as new as every source file, else from source through tsx. Reads its CPU
 * time and memory from /proc/<pid>/stat and /proc/<pid>/status, and its Prometheus /metrics.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** Daemons still running: killed if the bench itself exits early (see `killDaemons`). */
const running = new Set<ChildProcess>();

/** SIGKILLs every daemon this process started that is still running (synchronous: for exit). */
export function killDaemons(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export type DaemonRuntime = 'dist' | 'source';

export interface ProcessSample {
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  /** Resident set size, bytes. */
  readonly rssBytes: number;
  /** Peak resident set size, bytes. */
  readonly peakRssBytes: number;
}

export interface DaemonChild {
  readonly pid: number;
  readonly base: string;
  readonly runtime: DaemonRuntime;
  /** Milliseconds from spawn to the first 200 of /readyz. */
  ready(timeoutMs: number): Promise<number>;
  sample(): ProcessSample;
  /** The /metrics samples: `name{labels}` -> value. */
  metrics(): Promise<Map<string, number>>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** The last lines the daemon wrote (for failure reports). */
  output(): string;
}

/** A TCP port free on 127.0.0.1 right now (for app.health_check_port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** dist when it exists and is not older than any file under src/, else source. */
export function pickRuntime(wanted: DaemonRuntime | 'auto'): DaemonRuntime {
  if (wanted !== 'auto') return wanted;
  const built = path.join(ROOT, 'dist/main.js');
  if (!existsSync(built)) return 'source';
  return statSync(built).mtimeMs >= newestMtime(path.join(ROOT, 'src')) ? 'dist' : 'source';
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU and memory of a Linux process from /proc. */
export function readProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return {
    cpuSeconds: (utime + stime) / ticksPerSecond(),
    rssBytes: kib('VmRSS'),
    peakRssBytes: kib('VmHWM'),
  };
}

/** Parses the Prometheus text format into `name{labels}` -> value. */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** Sum of every sample of a metric whose labels contain each of `labels` (`kind="quota"`). */
export function metricSum(samples: Map<string, number>, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const brace = key.indexOf('{');
    const metric = brace < 0 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    if (labels.every((label) => key.includes(label))) sum += value;
  }
  return sum;
}

export function startDaemon(
  configFile: string,
  port: number,
  options: { runtime: DaemonRuntime; env: Record<string, string> },
): DaemonChild {
  // e.g. BENCH_DAEMON_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the daemon
  const nodeArgs = (process.env.BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const script =
    options.runtime === 'dist'
      ? [path.join(ROOT, 'bin/reposentry.js'), 'run', '-c', configFile]
      : ['--import', 'tsx', path.join(ROOT, 'scripts/reposentry.ts'), 'run', '-c', configFile];
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const pid = child.pid;
  if (pid === undefined) throw new Error('the daemon did not start');
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    pid,
    base,
    runtime: options.runtime,
    async ready(timeoutMs) {
      const deadline = spawnedAt + timeoutMs;
      for (;;) {
        try {
          const response = await fetch(`${base}/readyz`);
          await response.arrayBuffer();
          if (response.status === 200) return performance.now() - spawnedAt;
        } catch {
          // not listening yet
        }
        if (gone()) throw new Error(`daemon exited before /readyz:\n${lines.join('\n')}`);
        if (performance.now() > deadline)
          throw new Error(`daemon: no /readyz within ${timeoutMs} ms:\n${lines.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    sample: () => readProcess(pid),
    async metrics() {
      const response = await fetch(`${base}/metrics`);
      return parseMetrics(await response.text());
    },
    async stop(timeoutMs = 30_000) {
      if (gone()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    output: () => lines.join('\n'),
  };
}
