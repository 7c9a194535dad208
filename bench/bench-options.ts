/**
 * The sizes of a bench run. `full` is what issue 7 asks for (run by hand, about 45 minutes);
 * `quick` is the same scenarios at small sizes, run by the test suite so the bench cannot rot.
 * Every number can be overridden on the command line (see run-bench.ts).
 */
import type { DaemonRuntime } from './daemon-child.js';

export const SCENARIOS = [
  'polling',
  'latency',
  'adaptive',
  'events-api',
  'drain',
  'transport',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * The storage engines the polling, events-API and drain scenarios run on, each in turn (the
 * latency scenario runs on SQLite; the transport scenario has no storage).
 */
export const STORAGE_ENGINES = ['sqlite', 'postgres'] as const;
export type StorageEngine = (typeof STORAGE_ENGINES)[number];

export interface BenchOptions {
  readonly mode: 'full' | 'quick';
  readonly scenarios: readonly Scenario[];
  /** Repositories of the quota runs; the largest also gives CPU, memory and start-up figures. */
  readonly quotaSizes: readonly number[];
  /** The quota runs on PostgreSQL, when not all of `quotaSizes` (the quick mode: its largest). */
  readonly postgresQuotaSizes?: readonly number[];
  /** Measured cycles per quota phase (unchanged, 1% changing). */
  readonly quotaCycles: number;
  /** polling.interval of a quota run of `n` repositories. */
  readonly intervalFor: (n: number) => string;
  readonly maxWorkers: number;
  /** Memory samples: "early" and "late", in ms since the largest quota daemon started. */
  readonly memoryEarlyMs: number;
  readonly memoryLateMs: number;
  /** How often CPU and memory are sampled. */
  readonly sampleEveryMs: number;
  /** Latency: repositories polled every second, changes made in rounds. */
  readonly latencyRepositories: number;
  readonly latencyChanges: number;
  readonly latencyChangesPerRound: number;
  /**
   * Adaptive polling: repositories (10 % of them change), one round of changes per
   * `adaptiveRoundMs`, polling.adaptive.max_interval, the warm-up while idle repositories
   * stretch, and the measured phase after it.
   */
  readonly adaptiveRepositories: number;
  readonly adaptiveRoundMs: number;
  readonly adaptiveMaxInterval: string;
  readonly adaptiveWarmupMs: number;
  readonly adaptivePhaseMs: number;
  /** Events API: events in the database, over this many repositories; requests per query. */
  readonly apiEvents: number;
  readonly apiRepositories: number;
  readonly apiRequests: number;
  /** Drain: pending deliveries left by an outage. */
  readonly drainDeliveries: number;
  /** Drain on PostgreSQL once more with this many daemons on one database (1: not run). */
  readonly drainReplicas: number;
  /**
   * Transport: the daemon's HTTP transport, in the bench process. Repositories of the GitHub
   * stand-in; unchanged polls and delivery POSTs per round; rounds; unchanged polls and
   * deliveries of the warm-up.
   */
  readonly transportRepositories: number;
  readonly transportPolls: number;
  readonly transportDeliveries: number;
  readonly transportRounds: number;
  readonly transportWarmup: number;
  readonly runtime: DaemonRuntime | 'auto';
  /**
   * The engines of the scenarios that run on each (see STORAGE_ENGINES); set by run-bench.ts
   * from --storage, or to both when the PostgreSQL server answers, else SQLite alone.
   */
  readonly engines: readonly StorageEngine[];
  /** Longest wait for any one step before the bench gives up. */
  readonly stepTimeoutMs: number;
}

const MINUTE = 60_000;

export const FULL: BenchOptions = {
  mode: 'full',
  scenarios: SCENARIOS,
  quotaSizes: [100, 1_000, 10_000],
  quotaCycles: 3,
  intervalFor: (n) => (n >= 10_000 ? '60s' : n >= 1_000 ? '15s' : '5s'),
  maxWorkers: 5,
  memoryEarlyMs: 5 * MINUTE,
  memoryLateMs: 30 * MINUTE,
  sampleEveryMs: 10_000,
  latencyRepositories: 100,
  latencyChanges: 1_000,
  latencyChangesPerRound: 25,
  adaptiveRepositories: 1_000,
  adaptiveRoundMs: 1_000,
  adaptiveMaxInterval: '16s',
  adaptiveWarmupMs: 70_000,
  adaptivePhaseMs: 60_000,
  apiEvents: 1_000_000,
  apiRepositories: 10_000,
  apiRequests: 500,
  drainDeliveries: 10_000,
  drainReplicas: 3,
  transportRepositories: 1_000,
  transportPolls: 20_000,
  transportDeliveries: 10_000,
  transportRounds: 6,
  transportWarmup: 5_000,
  runtime: 'auto',
  engines: STORAGE_ENGINES,
  stepTimeoutMs: 10 * MINUTE,
};

export const QUICK: BenchOptions = {
  mode: 'quick',
  scenarios: SCENARIOS,
  quotaSizes: [100, 200],
  postgresQuotaSizes: [200],
  quotaCycles: 1,
  intervalFor: () => '1s',
  maxWorkers: 5,
  memoryEarlyMs: 3_000,
  memoryLateMs: 8_000,
  sampleEveryMs: 250,
  latencyRepositories: 20,
  latencyChanges: 60,
  latencyChangesPerRound: 20,
  adaptiveRepositories: 50,
  adaptiveRoundMs: 500,
  adaptiveMaxInterval: '2s',
  adaptiveWarmupMs: 9_000,
  adaptivePhaseMs: 4_000,
  apiEvents: 10_000,
  apiRepositories: 200,
  apiRequests: 60,
  drainDeliveries: 400,
  drainReplicas: 3,
  transportRepositories: 100,
  transportPolls: 300,
  transportDeliveries: 200,
  transportRounds: 2,
  transportWarmup: 200,
  runtime: 'auto',
  engines: STORAGE_ENGINES,
  stepTimeoutMs: 60_000,
};

/** The repositories of the quota runs on `engine`. */
export function quotaSizesOn(options: BenchOptions, engine: StorageEngine): readonly number[] {
  return engine === 'postgres'
    ? (options.postgresQuotaSizes ?? options.quotaSizes)
    : options.quotaSizes;
}

/** A scenario's name with the engine it ran on: `quota N=1,000 [postgres]`. */
export function onEngine(scenario: string, engine: StorageEngine): string {
  return `${scenario} [${engine}]`;
}

/**
 * A figure's key on an engine: SQLite keeps the keys of the runs before PostgreSQL existed
 * (`drain.per_second`); PostgreSQL's carry its name in front (`postgres.drain.per_second`).
 */
export function engineKey(key: string, engine: StorageEngine): string {
  return engine === 'sqlite' ? key : `${engine}.${key}`;
}
