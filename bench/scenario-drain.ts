/**
 * Figure 6: delivery throughput after an outage. The database holds pending deliveries that an
 * EventListener outage left behind (written by the poller's outbox write); the daemon starts with
 * a healthy receiver and drains them. Deliveries per second from the first to the last arrival;
 * every event must arrive exactly once. Runs on either engine.
 */
import { performance } from 'node:perf_hooks';
import { BENCH_SECRET } from './bench-config.js';
import type { BenchContext } from './bench-context.js';
import { engineKey, onEngine, type StorageEngine } from './bench-options.js';
import { atLeast, exactly, formatNumber } from './bench-report.js';
import { cpuPoint, reportDrainCpu, reportTransactions } from './drain-cpu.js';
import { startBenchReceiver, wallClockMs } from './bench-receiver.js';
import { seedPending } from './seed-pending.js';
import { startStoredStateDaemon, unpolledRepoUrl } from './stored-state-daemon.js';

export async function measureDrain(ctx: BenchContext, engine: StorageEngine): Promise<void> {
  const { options, report } = ctx;
  const total = options.drainDeliveries;
  const scenario = onEngine(`drain ${formatNumber(total)} pending deliveries`, engine);
  const key = (name: string): string => engineKey(`drain.${name}`, engine);
  const dir = await ctx.tempDir(`drain-${engine}`);
  const database = await ctx.database(engine, dir);
  const receiver = await startBenchReceiver(BENCH_SECRET);
  ctx.log(`${scenario}: seeding the outbox`);
  const seedStarted = performance.now();
  const { repositories } = await seedPending(database, {
    deliveries: total,
    targetUrl: receiver.url,
    repoUrl: unpolledRepoUrl,
  }).catch(async (err: unknown) => {
    await receiver.close();
    await database.close();
    throw err;
  });
  ctx.log(`${scenario}: seeded in ${formatNumber((performance.now() - seedStarted) / 1000)} s`);
  const transactionsBefore = await database.transactions();
  const spawnedAt = wallClockMs();
  const daemon = await startStoredStateDaemon(ctx, {
    dir,
    database,
    receiverUrl: receiver.url,
    repositories,
  });
  try {
    await daemon.ready(options.stepTimeoutMs);
    await receiver.waitForEvents(1, options.stepTimeoutMs);
    const cpuFrom = await cpuPoint([daemon], database, receiver);
    await receiver.waitForEvents(total, options.stepTimeoutMs);
    const cpuTo = await cpuPoint([daemon], database, receiver);
    const arrivals = receiver.arrivals();
    const first = arrivals[0]?.atMs ?? spawnedAt;
    const last = arrivals.at(-1)?.atMs ?? spawnedAt;
    await daemon.stop();
    const statuses = await database.countStatuses();
    report.add({
      key: key('per_second'),
      scenario,
      label: 'deliveries per second, first to last arrival',
      value: (total - 1) / ((last - first) / 1000),
      unit: 'deliveries/s',
      target: atLeast(500, 'deliveries/s'),
    });
    reportDrainCpu(ctx, { scenario, key, who: 'daemon', from: cpuFrom, to: cpuTo });
    await reportTransactions(ctx, {
      scenario,
      key,
      database,
      before: transactionsBefore,
      deliveries: total,
    });
    report.add({
      key: key('seconds_from_spawn'),
      scenario,
      label: 'spawn of the daemon to the last delivery',
      value: (last - spawnedAt) / 1000,
      unit: 's',
    });
    report.add({
      key: key('duplicates'),
      scenario,
      label: 'events delivered more than once',
      value: receiver.duplicates().length,
      unit: 'events',
      target: exactly(0, 'events'),
    });
    report.add({
      key: key('requests'),
      scenario,
      label: 'requests received / distinct events',
      value: receiver.requests(),
      unit: 'requests',
      display: `${formatNumber(receiver.requests())} / ${formatNumber(arrivals.length)}`,
    });
    report.add({
      key: key('bad_signatures'),
      scenario,
      label: 'requests whose X-Hub-Signature-256 did not verify',
      value: receiver.badSignatures(),
      unit: 'requests',
    });
    report.add({
      key: key('delivered_in_database'),
      scenario,
      label: 'deliveries marked delivered in the database afterwards',
      value: statuses.delivered ?? 0,
      unit: `of ${formatNumber(total)}`,
    });
  } finally {
    await daemon.stop();
    await receiver.close();
    await database.close();
  }
}
