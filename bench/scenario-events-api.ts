/**
 * Figure 5: GET /api/v1/events latency (p50/p99, measured by the client over loopback) with a
 * large event history in the database: the first page, filtered by repository (the busiest and a
 * typical one), a deep cursor page, and the rare-status filter; plus the database's size on
 * disk. Runs on either engine.
 */
import { performance } from 'node:perf_hooks';
import { encodeEventCursor } from '../src/storage/event-cursor.js';
import type { BenchContext } from './bench-context.js';
import { engineKey, onEngine, type StorageEngine } from './bench-options.js';
import { atMost, formatNumber, percentile } from './bench-report.js';
import { startBenchReceiver } from './bench-receiver.js';
import { seedHistory, type SeededHistory } from './seed-history.js';
import { startStoredStateDaemon, unpolledRepoUrl } from './stored-state-daemon.js';

export async function measureEventsApi(ctx: BenchContext, engine: StorageEngine): Promise<void> {
  const { options, report } = ctx;
  const scenario = onEngine(`events API, ${formatNumber(options.apiEvents)} events`, engine);
  const dir = await ctx.tempDir(`events-api-${engine}`);
  const database = await ctx.database(engine, dir);
  const receiver = await startBenchReceiver('unused');
  ctx.log(`${scenario}: seeding the database`);
  const seedStarted = performance.now();
  let seeded: SeededHistory;
  try {
    seeded = await seedHistory(database, {
      events: options.apiEvents,
      repositories: options.apiRepositories,
      targetUrl: receiver.url,
      repoUrl: unpolledRepoUrl,
    });
  } catch (err) {
    await receiver.close();
    await database.close();
    throw err;
  }
  ctx.log(`${scenario}: seeded in ${formatNumber((performance.now() - seedStarted) / 1000)} s`);
  const daemon = await startStoredStateDaemon(ctx, {
    dir,
    database,
    receiverUrl: receiver.url,
    repositories: options.apiRepositories,
  });
  try {
    await daemon.ready(options.stepTimeoutMs);
    const deepSeq = Math.max(2, Math.round(seeded.maxSeq * 0.1));
    const queries: { key: string; label: string; path: string; target: boolean }[] = [
      { key: 'first_page', label: 'first page (50 newest)', path: '/api/v1/events', target: true },
      {
        key: 'busiest_repository',
        label: `filtered by the busiest repository (${formatNumber(seeded.busiest.events)} events)`,
        path: `/api/v1/events?repository=${seeded.busiest.name}`,
        target: true,
      },
      {
        key: 'typical_repository',
        label: `filtered by a typical repository (${formatNumber(seeded.typical.events)} events)`,
        path: `/api/v1/events?repository=${seeded.typical.name}`,
        target: true,
      },
      {
        key: 'deep_cursor',
        label: `deep cursor page (older than event ${formatNumber(deepSeq)} of ${formatNumber(seeded.maxSeq)})`,
        path: `/api/v1/events?cursor=${encodeEventCursor(deepSeq)}`,
        target: true,
      },
      {
        key: 'status_failed',
        label: 'filtered by delivery status failed (0.1% of events)',
        path: '/api/v1/events?status=failed',
        target: false,
      },
    ];
    for (const query of queries) {
      const times = await timeRequests(`${daemon.base}${query.path}`, options.apiRequests);
      report.add({
        key: engineKey(`events_api.${query.key}.p50_ms`, engine),
        scenario,
        label: `GET ${query.label}, p50`,
        value: percentile(times, 50),
        unit: 'ms',
      });
      report.add({
        key: engineKey(`events_api.${query.key}.p99_ms`, engine),
        scenario,
        label: `GET ${query.label}, p99`,
        value: percentile(times, 99),
        unit: 'ms',
        ...(query.target ? { target: atMost(20, 'ms') } : {}),
      });
    }
    report.add({
      key: engineKey('events_api.db_size_mb', engine),
      scenario,
      label:
        engine === 'sqlite'
          ? 'database file size (events with deliveries, payloads and attempts)'
          : 'database size, pg_database_size (events with deliveries, payloads and attempts)',
      value: (await database.sizeBytes()) / 1024 / 1024,
      unit: 'MB',
    });
  } finally {
    await daemon.stop();
    await receiver.close();
    await database.close();
  }
}

/** Sequential requests over one keep-alive connection: milliseconds each, after a warm-up. */
async function timeRequests(url: string, count: number): Promise<number[]> {
  const times: number[] = [];
  const warmUp = Math.min(20, Math.ceil(count / 5));
  for (let i = 0; i < warmUp + count; i += 1) {
    const started = performance.now();
    const response = await fetch(url);
    const body = (await response.json()) as { events?: unknown[] };
    const elapsed = performance.now() - started;
    if (response.status !== 200 || !Array.isArray(body.events) || body.events.length === 0) {
      throw new Error(
        `bench: GET ${url} answered ${response.status} with ${JSON.stringify(body).slice(0, 200)}`,
      );
    }
    if (i >= warmUp) times.push(elapsed);
  }
  return times;
}
