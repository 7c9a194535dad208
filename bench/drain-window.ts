/**
 * The window a drain scenario measures: from the first delivery the receiver gets to the last of
 * the backlog, the daemons' CPU (and the database's) read at both ends, so their start-up is not
 * in it.
 */
import type { BenchContext } from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import type { BenchReceiver } from './bench-receiver.js';
import type { DaemonChild } from './daemon-child.js';
import { cpuPoint, type CpuPoint } from './drain-cpu.js';

export interface DrainWindow {
  readonly cpuFrom: CpuPoint;
  readonly cpuTo: CpuPoint;
  /** Wall clock (ms) of the first and of the last arrival. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** Deliveries per second from the first arrival to the last. */
  readonly perSecond: number;
}

/** Waits for the first arrival and then for all `total`, once the daemons are ready. */
export async function watchDrain(
  ctx: BenchContext,
  drain: {
    daemons: readonly DaemonChild[];
    database: BenchDatabase;
    receiver: BenchReceiver;
    total: number;
    /** Wall clock (ms) when the first daemon was spawned: the window's ends if nothing came. */
    spawnedAt: number;
  },
): Promise<DrainWindow> {
  const { daemons, database, receiver, total, spawnedAt } = drain;
  const timeoutMs = ctx.options.stepTimeoutMs;
  await receiver.waitForEvents(1, timeoutMs);
  const cpuFrom = await cpuPoint(daemons, database, receiver);
  await receiver.waitForEvents(total, timeoutMs);
  const cpuTo = await cpuPoint(daemons, database, receiver);
  const arrivals = receiver.arrivals();
  const firstMs = arrivals[0]?.atMs ?? spawnedAt;
  const lastMs = arrivals.at(-1)?.atMs ?? spawnedAt;
  return {
    cpuFrom,
    cpuTo,
    firstMs,
    lastMs,
    perSecond: (total - 1) / ((lastMs - firstMs) / 1000),
  };
}
