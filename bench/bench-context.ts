/**
 * What every scenario of a bench run shares: options, the report, a temp dir, the daemon runtime,
 * and the databases of its runs on either engine.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBenchDatabase, type BenchDatabase } from './bench-database.js';
import type { BenchOptions, StorageEngine } from './bench-options.js';
import type { BenchReport } from './bench-report.js';
import type { DaemonRuntime } from './daemon-child.js';

export interface BenchContext {
  readonly options: BenchOptions;
  readonly report: BenchReport;
  readonly runtime: DaemonRuntime;
  /** Progress lines (prefixed with the elapsed time). */
  log(line: string): void;
  /** A new directory under the run's temporary directory (removed at the end of the run). */
  tempDir(name: string): Promise<string>;
  /**
   * A new database on `engine` for a scenario run, its SQLite file (or the daemon's other files)
   * in `dir`. The caller closes it (which drops a PostgreSQL database); `closeDatabases` drops
   * whatever is left when the bench is interrupted.
   */
  database(engine: StorageEngine, dir: string): Promise<BenchDatabase>;
  /** Closes every database still open (an interrupted run). */
  closeDatabases(): Promise<void>;
}

export function createContext(
  options: BenchOptions,
  report: BenchReport,
  runtime: DaemonRuntime,
  root: string,
  print: (line: string) => void,
  /** The PostgreSQL server's URL, when `options.engines` has postgres. */
  postgresServer?: string,
): BenchContext {
  const started = performance.now();
  let dirs = 0;
  const open = new Set<BenchDatabase>();
  return {
    options,
    report,
    runtime,
    log: (line) =>
      print(`${((performance.now() - started) / 1000).toFixed(1).padStart(7)}s  ${line}`),
    async tempDir(name) {
      dirs += 1;
      const dir = path.join(root, `${String(dirs).padStart(2, '0')}-${name}`);
      await mkdir(dir, { recursive: true });
      return dir;
    },
    async database(engine, dir) {
      const database = await createBenchDatabase(engine, dir, postgresServer);
      open.add(database);
      return {
        ...database,
        close: async () => {
          open.delete(database);
          await database.close();
        },
      };
    },
    async closeDatabases() {
      const all = [...open];
      open.clear();
      await Promise.allSettled(all.map((database) => database.close()));
    },
  };
}

/** Polls `predicate` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline)
      throw new Error(`bench: ${what} not reached within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
