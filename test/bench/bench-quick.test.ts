/**
 * Runs `npm run bench -- --quick` (the issue 7 benchmark at small sizes) as a user would, so the
 * bench cannot rot: it must finish, print every figure and the closing table, and its
 * deterministic facts must hold. Timing targets are reported by the bench, never asserted here.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUICK } from '../../bench/bench-options.js';

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
      ['--import', 'tsx', 'bench/run-bench.ts', '--quick', '--json', json],
      { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

/** Every repository has 3 branches; every 50th has 253 (3 pages of 100). */
const pagesOf = (n: number): number => n + 2 * Math.ceil(n / 50);

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
  }, 180_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const value = (key: string): number | null | undefined => run.figures.get(key)?.value;

  it('completes and prints every figure with its scenario, then the table of targets', () => {
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('bench completed');
    const keys = [
      ...QUICK.quotaSizes.flatMap((n) =>
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
      'startup.cold_ms',
      'startup.warm_ms',
      'startup.stop_exit_code',
      'startup.first_cycle_after_restart_units',
      'latency.changes',
      'latency.p50_ms',
      'latency.p99_ms',
      'latency.max_ms',
      'latency.duplicates',
      ...[
        'first_page',
        'busiest_repository',
        'typical_repository',
        'deep_cursor',
        'status_failed',
      ].flatMap((q) => [`events_api.${q}.p50_ms`, `events_api.${q}.p99_ms`]),
      'events_api.db_size_mb',
      'drain.per_second',
      'drain.seconds_from_spawn',
      'drain.duplicates',
      'drain.requests',
      'drain.bad_signatures',
      'drain.delivered_in_database',
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

  it('spends no quota on unchanged repositories, one unit per change, and counts like the server', () => {
    for (const n of QUICK.quotaSizes) {
      const changes = Math.max(1, Math.round(n / 100));
      expect(value(`quota.n${n}.baseline.units`)).toBe(pagesOf(n));
      expect(value(`quota.n${n}.unchanged.units_per_cycle`)).toBe(0);
      expect(value(`quota.n${n}.changing.changes_per_cycle`)).toBe(changes);
      expect(value(`quota.n${n}.changing.units_per_cycle`)).toBe(changes);
      expect(value(`quota.n${n}.changing.deliveries`)).toBe(changes * QUICK.quotaCycles);
      expect(value(`quota.n${n}.server_vs_reported_units`)).toBe(0);
      expect(value(`quota.n${n}.duplicate_deliveries`)).toBe(0);
      // The Go RepoSentry style pays for every repository in every cycle.
      expect(value(`quota.n${n}.unchanged.go_style_units_per_cycle`)).toBe(n);
      expect(value(`quota.n${n}.changing.go_style_units_per_cycle`)).toBe(n);
      expect(run.figures.get(`quota.n${n}.unchanged.go_style_ratio`)?.display).toMatch(
        /^unbounded \(/,
      );
      expect(value(`quota.n${n}.changing.go_style_ratio`)).toBe(n / changes);
    }
  });

  it('keeps ETags across a restart and stops cleanly on SIGTERM', () => {
    expect(value('startup.stop_exit_code')).toBe(0);
    expect(value('startup.first_cycle_after_restart_units')).toBe(0);
  });

  it('delivers every change once, and drains the whole backlog without a duplicate', () => {
    expect(value('latency.changes')).toBe(QUICK.latencyChanges);
    expect(value('latency.duplicates')).toBe(0);
    expect(value('drain.duplicates')).toBe(0);
    expect(value('drain.requests')).toBe(QUICK.drainDeliveries);
    expect(value('drain.bad_signatures')).toBe(0);
    expect(value('drain.delivered_in_database')).toBe(QUICK.drainDeliveries);
  });

  it("measures the daemon's transport: unchanged polls all 304, deliveries verified", () => {
    expect(value('transport.requests_not_304')).toBe(0);
    expect(value('transport.bad_signatures')).toBe(0);
    expect(value('transport.cpu_ms_per_poll')).toBeGreaterThan(0);
    expect(value('transport.cpu_ms_per_delivery')).toBeGreaterThan(0);
  });
});
