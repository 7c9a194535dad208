/**
 * What a drain costs in CPU: the daemons' CPU time (from /proc) and, on PostgreSQL, that of the
 * server backends serving the database, read at the first arrival and after the last, so the
 * daemons' start-up is not in it. Per delivery, and as cores kept busy over that window (the
 * machine's core count beside it): a drain that keeps every core busy is bound by CPU, not by
 * the receiver or the database's commits.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sleep, type BenchContext } from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import { formatNumber } from './bench-report.js';
import type { BenchReceiver } from './bench-receiver.js';
import type { DaemonChild } from './daemon-child.js';

export interface CpuPoint {
  readonly atMs: number;
  /** CPU seconds of every daemon together. */
  readonly daemonSeconds: number;
  /** CPU seconds of the PostgreSQL backends (undefined on SQLite). */
  readonly dbSeconds: number | undefined;
  /** Distinct events the receiver had then. */
  readonly arrived: number;
}

export async function cpuPoint(
  daemons: readonly DaemonChild[],
  database: BenchDatabase,
  receiver: BenchReceiver,
): Promise<CpuPoint> {
  const atMs = performance.now();
  const arrived = receiver.arrivals().length;
  let daemonSeconds = 0;
  for (const daemon of daemons) daemonSeconds += daemon.sample().cpuSeconds;
  return { atMs, daemonSeconds, dbSeconds: await database.serverCpuSeconds(), arrived };
}

/**
 * What a drain cost: CPU over its window (`reportDrainCpu`) and database transactions per
 * delivery (`reportTransactions`), after the daemons stopped.
 */
export async function reportDrainCost(
  ctx: BenchContext,
  drain: {
    scenario: string;
    key: (name: string) => string;
    /** Whose CPU: `daemon`, `3 replicas together`. */
    who: string;
    window: { readonly cpuFrom: CpuPoint; readonly cpuTo: CpuPoint };
    database: BenchDatabase;
    /** `database.transactions()` before the daemons were spawned. */
    transactionsBefore: number | undefined;
    deliveries: number;
  },
): Promise<void> {
  const { scenario, key, who, window, database, transactionsBefore, deliveries } = drain;
  reportDrainCpu(ctx, { scenario, key, who, from: window.cpuFrom, to: window.cpuTo });
  await reportTransactions(ctx, {
    scenario,
    key,
    database,
    before: transactionsBefore,
    deliveries,
  });
}

function reportDrainCpu(
  ctx: BenchContext,
  drain: {
    scenario: string;
    key: (name: string) => string;
    /** Whose CPU: `daemon`, `3 replicas together`. */
    who: string;
    from: CpuPoint;
    to: CpuPoint;
  },
): void {
  const { report } = ctx;
  const { scenario, key, who, from, to } = drain;
  const deliveries = Math.max(1, to.arrived - from.arrived);
  const seconds = (to.atMs - from.atMs) / 1000;
  const daemonSeconds = to.daemonSeconds - from.daemonSeconds;
  report.add({
    key: key('cpu_ms_per_delivery'),
    scenario,
    label: `CPU per delivery, ${who} (${formatNumber(deliveries)} deliveries after the first arrival)`,
    value: (daemonSeconds * 1000) / deliveries,
    unit: 'ms',
  });
  let busySeconds = daemonSeconds;
  if (from.dbSeconds !== undefined && to.dbSeconds !== undefined) {
    const dbSeconds = to.dbSeconds - from.dbSeconds;
    busySeconds += dbSeconds;
    report.add({
      key: key('db_cpu_ms_per_delivery'),
      scenario,
      label: 'CPU per delivery, PostgreSQL backends, same window',
      value: (dbSeconds * 1000) / deliveries,
      unit: 'ms',
    });
  }
  report.add({
    key: key('cpu_cores_busy'),
    scenario,
    label: `cores kept busy in that window, ${who}${from.dbSeconds === undefined ? '' : ' and backends'} (of ${os.cpus().length})`,
    value: seconds > 0 ? busySeconds / seconds : NaN,
    unit: 'cores',
  });
}

/**
 * Transactions the daemons ended in the database per delivery, from before their spawn to after
 * their stop (PostgreSQL; nothing on SQLite). Read a moment after the stop, when the backends of
 * the closed connections have reported their counts.
 */
async function reportTransactions(
  ctx: BenchContext,
  drain: {
    scenario: string;
    key: (name: string) => string;
    database: BenchDatabase;
    before: number | undefined;
    deliveries: number;
  },
): Promise<void> {
  const { scenario, key, database, before, deliveries } = drain;
  if (before === undefined) return;
  await sleep(1000);
  const after = await database.transactions();
  if (after === undefined) return;
  ctx.report.add({
    key: key('transactions_per_delivery'),
    scenario,
    label: 'database transactions per delivery, spawn to stop (pg_stat_database)',
    value: (after - before) / deliveries,
    unit: '',
  });
}
