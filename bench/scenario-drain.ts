/**
 * Figure 6: delivery throughput after an outage. The database holds pending deliveries that an
 * EventListener outage left behind (written by the poller's outbox write); the daemon starts with
 * a healthy receiver and drains them. Deliveries per second from the first to the last arrival;
 * every event must arrive exactly once.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { BENCH_SECRET } from './bench-config.js';
import type { BenchContext } from './bench-context.js';
import { atLeast, exactly, formatNumber } from './bench-report.js';
import { startBenchReceiver, wallClockMs } from './bench-receiver.js';
import { seedPending } from './seed-database.js';
import { startStoredStateDaemon, unpolledRepoUrl } from './stored-state-daemon.js';

export async function measureDrain(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const total = options.drainDeliveries;
  const scenario = `drain ${formatNumber(total)} pending deliveries`;
  const dir = await ctx.tempDir('drain');
  const file = path.join(dir, 'reposentry.db');
  const receiver = await startBenchReceiver(BENCH_SECRET);
  ctx.log(`${scenario}: seeding the outbox`);
  const { repositories } = await seedPending(file, {
    deliveries: total,
    targetUrl: receiver.url,
    repoUrl: unpolledRepoUrl,
  });
  const spawnedAt = wallClockMs();
  const daemon = await startStoredStateDaemon(ctx, {
    dir,
    receiverUrl: receiver.url,
    repositories,
  });
  try {
    await daemon.ready(options.stepTimeoutMs);
    await receiver.waitForEvents(total, options.stepTimeoutMs);
    const arrivals = receiver.arrivals();
    const first = arrivals[0]?.atMs ?? spawnedAt;
    const last = arrivals.at(-1)?.atMs ?? spawnedAt;
    await daemon.stop();
    const statuses = countStatuses(file);
    report.add({
      key: 'drain.per_second',
      scenario,
      label: 'deliveries per second, first to last arrival',
      value: (total - 1) / ((last - first) / 1000),
      unit: 'deliveries/s',
      target: atLeast(500, 'deliveries/s'),
    });
    report.add({
      key: 'drain.seconds_from_spawn',
      scenario,
      label: 'spawn of the daemon to the last delivery',
      value: (last - spawnedAt) / 1000,
      unit: 's',
    });
    report.add({
      key: 'drain.duplicates',
      scenario,
      label: 'events delivered more than once',
      value: receiver.duplicates().length,
      unit: 'events',
      target: exactly(0, 'events'),
    });
    report.add({
      key: 'drain.requests',
      scenario,
      label: 'requests received / distinct events',
      value: receiver.requests(),
      unit: 'requests',
      display: `${formatNumber(receiver.requests())} / ${formatNumber(arrivals.length)}`,
    });
    report.add({
      key: 'drain.bad_signatures',
      scenario,
      label: 'requests whose X-Hub-Signature-256 did not verify',
      value: receiver.badSignatures(),
      unit: 'requests',
    });
    report.add({
      key: 'drain.delivered_in_database',
      scenario,
      label: 'deliveries marked delivered in the database afterwards',
      value: statuses.delivered ?? 0,
      unit: `of ${formatNumber(total)}`,
    });
  } finally {
    await daemon.stop();
    await receiver.close();
  }
}

function countStatuses(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[], { status: string; n: number }>(
        'SELECT status, count(*) AS n FROM deliveries GROUP BY status',
      )
      .all();
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  } finally {
    db.close();
  }
}
