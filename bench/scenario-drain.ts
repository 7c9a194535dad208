/**
 * Figure 6: delivery throughput after an outage. The database holds pending deliveries that an
 * EventListener outage left behind (written by the poller's outbox write); the daemon starts with
 * a healthy receiver and drains them. Deliveries per second from the first to the last arrival;
 * every event must arrive exactly once. Runs on either engine.
 */
import { BENCH_SECRET } from './bench-config.js';
import type { BenchContext } from './bench-context.js';
import { engineKey, onEngine, type StorageEngine } from './bench-options.js';
import { atLeast, formatNumber } from './bench-report.js';
import { reportDrainCost } from './drain-cpu.js';
import { reportDrainOutcome } from './drain-outcome.js';
import { watchDrain } from './drain-window.js';
import { startBenchReceiver, wallClockMs } from './bench-receiver.js';
import { seedDrainBacklog } from './seed-pending.js';
import { startStoredStateDaemon } from './stored-state-daemon.js';

export async function measureDrain(ctx: BenchContext, engine: StorageEngine): Promise<void> {
  const { options, report } = ctx;
  const total = options.drainDeliveries;
  const scenario = onEngine(`drain ${formatNumber(total)} pending deliveries`, engine);
  const key = (name: string): string => engineKey(`drain.${name}`, engine);
  const dir = await ctx.tempDir(`drain-${engine}`);
  const database = await ctx.database(engine, dir);
  const receiver = await startBenchReceiver(BENCH_SECRET);
  const { repositories } = await seedDrainBacklog(ctx, scenario, database, receiver.url).catch(
    async (err: unknown) => {
      await receiver.close();
      await database.close();
      throw err;
    },
  );
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
    const window = await watchDrain(ctx, {
      daemons: [daemon],
      database,
      receiver,
      total,
      spawnedAt,
    });
    await daemon.stop();
    const statuses = await database.countStatuses();
    report.add({
      key: key('per_second'),
      scenario,
      label: 'deliveries per second, first to last arrival',
      value: window.perSecond,
      unit: 'deliveries/s',
      target: atLeast(500, 'deliveries/s'),
    });
    await reportDrainCost(ctx, {
      scenario,
      key,
      who: 'daemon',
      window,
      database,
      transactionsBefore,
      deliveries: total,
    });
    report.add({
      key: key('seconds_from_spawn'),
      scenario,
      label: 'spawn of the daemon to the last delivery',
      value: (window.lastMs - spawnedAt) / 1000,
      unit: 's',
    });
    reportDrainOutcome(ctx, {
      scenario,
      key,
      receiver,
      total,
      delivered: statuses.delivered ?? 0,
    });
  } finally {
    await daemon.stop();
    await receiver.close();
    await database.close();
  }
}
