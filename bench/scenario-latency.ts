/**
 * Figure 3: detection-to-delivery latency. Repositories polled every second get pushes in
 * rounds; for each change, latency = when the receiver had the whole request minus when the poll
 * observed the change (the event's `detected_at`, read from the daemon's database afterwards),
 * and commit to delivery = minus when the round's pushes were made (what one interval costs).
 */
import Database from 'better-sqlite3';
import type { BenchContext } from './bench-context.js';
import { atMost, formatNumber, percentile } from './bench-report.js';
import { wallClockMs } from './bench-receiver.js';
import { startPollingRun } from './polling-run.js';

export async function measureLatency(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const repositories = options.latencyRepositories;
  const scenario = `latency ${formatNumber(options.latencyChanges)} changes`;
  ctx.log(`${scenario}: ${repositories} repositories polled every 1s`);
  const run = await startPollingRun(ctx, repositories, { interval: '1s', manyBranches: false });
  try {
    await run.completeCycle(1);
    let made = 0;
    const sinceCommit: number[] = [];
    while (made < options.latencyChanges) {
      const round = Math.min(options.latencyChangesPerRound, options.latencyChanges - made);
      const pushedAt = wallClockMs();
      for (let j = 0; j < round; j += 1) run.github.push((made + j) % repositories);
      made += round;
      await run.receiver.waitForEvents(made, options.stepTimeoutMs);
      for (const arrival of run.receiver.arrivals().slice(made - round, made)) {
        sinceCommit.push(arrival.atMs - pushedAt);
      }
    }
    const arrivals = run.receiver.arrivals();
    if (run.database.engine !== 'sqlite') throw new Error('bench: latency runs on SQLite');
    const detected = readDetectedAt(run.database.file);
    const latencies = arrivals.map((arrival) => {
      const at = detected.get(arrival.eventId);
      if (at === undefined)
        throw new Error(`bench: event ${arrival.eventId} is not in the database`);
      return arrival.atMs - at;
    });
    report.add({
      key: 'latency.changes',
      scenario,
      label: 'changes made / events delivered',
      value: latencies.length,
      unit: 'events',
      display: `${formatNumber(made)} / ${formatNumber(latencies.length)}`,
    });
    report.add({
      key: 'latency.p50_ms',
      scenario,
      label: 'detection to delivery, p50',
      value: percentile(latencies, 50),
      unit: 'ms',
    });
    report.add({
      key: 'latency.p99_ms',
      scenario,
      label: 'detection to delivery, p99',
      value: percentile(latencies, 99),
      unit: 'ms',
      target: atMost(50, 'ms'),
    });
    report.add({
      key: 'latency.max_ms',
      scenario,
      label: 'detection to delivery, max',
      value: Math.max(...latencies),
      unit: 'ms',
    });
    report.add({
      key: 'latency.commit_p99_ms',
      scenario,
      label: 'commit to delivery, p99 (polling every 1s)',
      value: percentile(sinceCommit, 99),
      unit: 'ms',
    });
    report.add({
      key: 'latency.duplicates',
      scenario,
      label: 'events delivered more than once',
      value: run.receiver.duplicates().length,
      unit: 'events',
    });
  } finally {
    await run.close();
  }
}

/** Event id -> detected_at (epoch ms), read from the daemon's database with a read-only connection. */
function readDetectedAt(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const rows = db
      .prepare<[], { id: string; detectedAt: number }>(
        'SELECT id, detected_at AS detectedAt FROM events',
      )
      .all();
    return new Map(rows.map((row) => [row.id, row.detectedAt]));
  } finally {
    db.close();
  }
}
