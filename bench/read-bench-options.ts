/**
 * The options of a bench run from its command line (see run-bench.ts for the list), and the
 * storage engines it runs on once the PostgreSQL server has been asked.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/config/parse-duration.js';
import {
  FULL,
  QUICK,
  SCENARIOS,
  STORAGE_ENGINES,
  type BenchOptions,
  type Scenario,
  type StorageEngine,
} from './bench-options.js';
import { postgresUnreachable, redactedUrl } from './bench-postgres.js';

export interface ReadOptions {
  readonly options: BenchOptions;
  readonly json: string | undefined;
  /** --storage, when given. */
  readonly storage: readonly StorageEngine[] | undefined;
}

export function readBenchOptions(argv: string[]): ReadOptions {
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
      replicas: { type: 'string' },
      storage: { type: 'string' },
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
  const storage =
    values.storage === undefined
      ? undefined
      : [
          ...new Set(
            values.storage.split(',').map((name) => {
              if (!(STORAGE_ENGINES as readonly string[]).includes(name)) {
                throw new Error(
                  `--storage: unknown engine ${name} (known: ${STORAGE_ENGINES.join(', ')})`,
                );
              }
              return name as StorageEngine;
            }),
          ),
        ];
  const runtime = values.runtime ?? base.runtime;
  if (runtime !== 'auto' && runtime !== 'dist' && runtime !== 'source') {
    throw new Error(`--runtime: auto, dist or source, not ${runtime}`);
  }
  const { postgresQuotaSizes, ...rest } = base;
  const options: BenchOptions = {
    ...rest,
    // --sizes sets the sizes of both engines.
    ...(values.sizes === undefined && postgresQuotaSizes ? { postgresQuotaSizes } : {}),
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
    drainReplicas: count('replicas', values.replicas, base.drainReplicas),
    transportPolls: count('transport-polls', values['transport-polls'], base.transportPolls),
    transportDeliveries: count(
      'transport-deliveries',
      values['transport-deliveries'],
      base.transportDeliveries,
    ),
    transportRounds: count('transport-rounds', values['transport-rounds'], base.transportRounds),
    runtime,
    engines: storage ?? base.engines,
  };
  return { options, json: values.json, storage };
}

/**
 * The engines to run on: --storage as given (a postgres the server does not answer for is an
 * error), else both when the PostgreSQL server answers, else SQLite with a notice.
 */
export async function pickEngines(
  asked: readonly StorageEngine[] | undefined,
  serverUrl: string,
  print: (line: string) => void,
): Promise<readonly StorageEngine[]> {
  const wanted = asked ?? STORAGE_ENGINES;
  if (!wanted.includes('postgres')) return wanted;
  const why = await postgresUnreachable(serverUrl);
  if (why === undefined) return wanted;
  if (asked !== undefined) {
    throw new Error(
      `--storage postgres: PostgreSQL at ${redactedUrl(serverUrl)} unreachable: ${why}`,
    );
  }
  print(
    `notice: PostgreSQL at ${redactedUrl(serverUrl)} is unreachable (${why}); running on SQLite ` +
      'only. Start it or set REPOSENTRY_BENCH_POSTGRES_URL to measure PostgreSQL too.',
  );
  return ['sqlite'];
}
