/**
 * Runs `npm run bench -- --quick` (the issue 7 benchmark at small sizes) as a user would, so the
 * bench cannot rot: it must finish, print every figure and the closing table, and its
 * deterministic facts must hold. Timing targets are reported by the bench, never asserted here.
 * With the test PostgreSQL server reachable, the polling, events-API and drain scenarios run on
 * PostgreSQL too (and the drain with 3 replicas); without it that part is skipped with a notice,
 * and under CI=true the run fails, as every PostgreSQL test does.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUICK, engineKey, quotaSizesOn, type StorageEngine } from '../../bench/bench-options.js';
import { TEST_POSTGRES_URL, postgresAvailable } from '../helpers/postgres-database.js';

const postgres = await postgresAvailable();
const engines: StorageEngine[] = postgres ? ['sqlite', 'postgres'] : ['sqlite'];

const ROOT = path.resolve(import.meta.dirname, '../..');

interface JsonFigure {
  key: string;
  scenario: string;
  label: string;
  value: number | null;
  unit: string;
  display: string;
  target?: string;
  met?: boolean;
}

interface BenchRun {
  code: number | null;
  stdout: string;
  figures: Map<string, JsonFigure>;
}

function runQuickBench(json: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run-bench.ts',
        '--quick',
        '--storage',
        engines.join(','),
        '--json',
        json,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, REPOSENTRY_BENCH_POSTGRES_URL: TEST_POSTGRES_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

/** Every repository has 3 branches; every 50th has 253 (3 pages of 100). */
const pagesOf = (n: number): number => n + 2 * Math.ceil(n / 50);

/** The keys of the scenarios that run on each engine, on `engine`. */
function engineKeys(engine: StorageEngine): string[] {
  const keys = [
    ...quotaSizesOn(QUICK, engine).flatMap((n) =>
      [
        'baseline.units',
        'baseline.seconds',
        'unchanged.units_per_cycle',
        'unchanged.requests_per_cycle',
        'unchanged.go_style_units_per_cycle',
        'unchanged.go_style_ratio',
        'changing.changes_per_cycle',
        'changing.units_per_cycle',
        'changing.requests_per_cycle',
        'changing.go_style_units_per_cycle',
        'changing.go_style_ratio',
        'changing.deliveries',
        'go_style.branches_seen',
        'server_vs_reported_units',
        'duplicate_deliveries',
      ].map((suffix) => `quota.n${n}.${suffix}`),
    ),
    'resources.cpu_ms_per_poll',
    'resources.polls_per_second',
    'resources.cpu_percent',
    'resources.rss_early_mb',
    'resources.rss_late_mb',
    'resources.rss_growth_percent',
    'resources.rss_peak_mb',
    ...(engine === 'postgres'
      ? ['resources.db_cpu_ms_per_poll', 'resources.total_cpu_ms_per_poll']
      : []),
    'startup.cold_ms',
    'startup.warm_ms',
    'startup.stop_exit_code',
    'startup.first_cycle_after_restart_units',
    ...[
      'first_page',
      'busiest_repository',
      'typical_repository',
      'deep_cursor',
      'status_failed',
    ].flatMap((q) => [`events_api.${q}.p50_ms`, `events_api.${q}.p99_ms`]),
    'events_api.db_size_mb',
    'drain.per_second',
    'drain.cpu_ms_per_delivery',
    ...(engine === 'postgres'
      ? ['drain.db_cpu_ms_per_delivery', 'drain.transactions_per_delivery']
      : []),
    'drain.cpu_cores_busy',
    'drain.seconds_from_spawn',
    'drain.duplicates',
    'drain.requests',
    'drain.bad_signatures',
    'drain.delivered_in_database',
  ];
  return keys.map((key) => engineKey(key, engine));
}

/** The drain with QUICK.drainReplicas daemons on one PostgreSQL database. */
function replicatedDrainKeys(): string[] {
  return [
    'per_second',
    'against_one_replica',
    'cpu_ms_per_delivery',
    'db_cpu_ms_per_delivery',
    'cpu_cores_busy',
    'transactions_per_delivery',
    'ready_ms',
    'seconds_from_spawn',
    'replicas_live',
    'duplicates',
    'requests',
    'bad_signatures',
    'delivered_in_database',
    ...Array.from({ length: QUICK.drainReplicas }, (_, r) => `replica${r + 1}.delivered`),
    'delivered_by_replicas',
    'unattributed_requests',
    'largest_share_percent',
  ].map((name) => engineKey(`drain_replicas.${name}`, 'postgres'));
}

describe('npm run bench -- --quick', () => {
  let dir: string;
  let run: BenchRun;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'reposentry-bench-test-'));
    const json = path.join(dir, 'bench.json');
    const { code, stdout } = await runQuickBench(json);
    let figures = new Map<string, JsonFigure>();
    try {
      const parsed = JSON.parse(await readFile(json, 'utf8')) as { figures: JsonFigure[] };
      figures = new Map(parsed.figures.map((f) => [f.key, f]));
    } catch {
      // reported by the assertions below, with the output
    }
    run = { code, stdout, figures };
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const value = (key: string): number | null | undefined => run.figures.get(key)?.value;

  it('completes and prints every figure with its scenario, then the table of targets', () => {
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('bench completed');
    const keys = [
      ...engines.flatMap(engineKeys),
      ...(postgres ? replicatedDrainKeys() : []),
      'latency.changes',
      'latency.p50_ms',
      'latency.p99_ms',
      'latency.max_ms',
      'latency.duplicates',
      'latency.commit_p99_ms',
      'webhook_latency.refused',
      'webhook_latency.p50_ms',
      'webhook_latency.p99_ms',
      'webhook_latency.duplicates',
      ...[
        'fixed.requests_per_second',
        'adaptive.requests_per_second',
        'request_ratio',
        'fixed.units_per_change',
        'adaptive.units_per_change',
        'fixed.latency_p50_ms',
        'fixed.latency_p99_ms',
        'adaptive.latency_p50_ms',
        'adaptive.latency_p99_ms',
      ].map((name) => `adaptive.${name}`),
      'transport.cpu_ms_per_poll',
      'transport.polls_wall_s',
      'transport.delivery_p50_ms',
      'transport.delivery_p99_ms',
      'transport.cpu_ms_per_delivery',
      'transport.requests_not_304',
      'transport.bad_signatures',
    ];
    expect([...run.figures.keys()].sort()).toEqual([...keys].sort());
    for (const figure of run.figures.values()) {
      expect(run.stdout).toContain(`[${figure.scenario}] ${figure.label}: ${figure.display}`);
      if (!figure.key.endsWith('unchanged.go_style_ratio')) {
        expect(Number.isFinite(figure.value), figure.key).toBe(true);
      }
    }
    const table = run.stdout.slice(run.stdout.lastIndexOf('| figure'));
    expect(table).toMatch(/\| figure +\| target +\| measured +\| met +\|/);
    for (const figure of run.figures.values()) {
      if (figure.target === undefined) continue;
      expect(table).toContain(`${figure.scenario}: ${figure.label}`);
    }
  });

  describe.each(['sqlite', 'postgres'] as const)('on %s', (engine) => {
    const skip = engine === 'postgres' && !postgres;
    const key = (name: string): string => engineKey(name, engine);

    it.skipIf(skip)(
      'spends no quota on unchanged repositories, one unit per change, and counts like the server',
      () => {
        for (const n of quotaSizesOn(QUICK, engine)) {
          const changes = Math.max(1, Math.round(n / 100));
          const quota = (name: string): number | null | undefined =>
            value(key(`quota.n${n}.${name}`));
          expect(quota('baseline.units')).toBe(pagesOf(n));
          expect(quota('unchanged.units_per_cycle')).toBe(0);
          expect(quota('changing.changes_per_cycle')).toBe(changes);
          expect(quota('changing.units_per_cycle')).toBe(changes);
          expect(quota('changing.deliveries')).toBe(changes * QUICK.quotaCycles);
          expect(quota('server_vs_reported_units')).toBe(0);
          expect(quota('duplicate_deliveries')).toBe(0);
          // The Go RepoSentry style pays for every repository in every cycle.
          expect(quota('unchanged.go_style_units_per_cycle')).toBe(n);
          expect(quota('changing.go_style_units_per_cycle')).toBe(n);
          expect(run.figures.get(key(`quota.n${n}.unchanged.go_style_ratio`))?.display).toMatch(
            /^unbounded \(/,
          );
          expect(quota('changing.go_style_ratio')).toBe(n / changes);
        }
      },
    );

    it.skipIf(skip)('keeps ETags across a restart and stops cleanly on SIGTERM', () => {
      expect(value(key('startup.stop_exit_code'))).toBe(0);
      expect(value(key('startup.first_cycle_after_restart_units'))).toBe(0);
    });

    it.skipIf(skip)('drains the whole backlog without a duplicate', () => {
      expect(value(key('drain.duplicates'))).toBe(0);
      expect(value(key('drain.requests'))).toBe(QUICK.drainDeliveries);
      expect(value(key('drain.bad_signatures'))).toBe(0);
      expect(value(key('drain.delivered_in_database'))).toBe(QUICK.drainDeliveries);
    });
  });

  it('delivers every change once', () => {
    expect(value('latency.changes')).toBe(QUICK.latencyChanges);
    expect(value('latency.duplicates')).toBe(0);
  });

  it.skipIf(!postgres)(
    `drains one backlog with ${QUICK.drainReplicas} replicas on PostgreSQL: each delivery once, by one of them`,
    () => {
      const replicas = (name: string): number | null | undefined =>
        value(engineKey(`drain_replicas.${name}`, 'postgres'));
      const total = QUICK.drainDeliveries;
      expect(replicas('replicas_live')).toBe(QUICK.drainReplicas);
      expect(replicas('duplicates')).toBe(0);
      expect(replicas('requests')).toBe(total);
      expect(replicas('bad_signatures')).toBe(0);
      expect(replicas('delivered_in_database')).toBe(total);
      expect(replicas('delivered_by_replicas')).toBe(total);
      expect(replicas('unattributed_requests')).toBe(0);
      // Each replica's own count is what the receiver saw on its connections.
      let received = 0;
      for (let r = 1; r <= QUICK.drainReplicas; r += 1) {
        const figure = run.figures.get(
          engineKey(`drain_replicas.replica${r}.delivered`, 'postgres'),
        );
        const [own, seen] = (figure?.display ?? '')
          .split(' / ')
          .map((n) => Number(n.replace(/,/g, '')));
        expect(seen, figure?.display).toBe(own);
        received += seen ?? NaN;
      }
      expect(received).toBe(total);
    },
  );

  it("measures the daemon's transport: unchanged polls all 304, deliveries verified", () => {
    expect(value('transport.requests_not_304')).toBe(0);
    expect(value('transport.bad_signatures')).toBe(0);
    expect(value('transport.cpu_ms_per_poll')).toBeGreaterThan(0);
    expect(value('transport.cpu_ms_per_delivery')).toBeGreaterThan(0);
  });
});
