/**
 * The drain with several replicas: the drain scenario's backlog of pending deliveries in one
 * PostgreSQL database, and `drainReplicas` daemons spawned on it together, all sending to the
 * receiver. Deliveries per second from the first to the last arrival; every event exactly once
 * (the claims are row locks with SKIP LOCKED and leases: nothing may go out twice with no replica
 * killed); and how the work split, counted twice: by the receiver, per TCP connection, each
 * connection's daemon found in /proc (socket-owner.ts), and by each daemon's own /metrics.
 */
import { BENCH_SECRET } from './bench-config.js';
import { waitUntil, type BenchContext } from './bench-context.js';
import { engineKey, onEngine } from './bench-options.js';
import { formatNumber } from './bench-report.js';
import { reportDrainCost } from './drain-cpu.js';
import { reportDrainOutcome } from './drain-outcome.js';
import { watchDrain } from './drain-window.js';
import { startBenchReceiver, wallClockMs } from './bench-receiver.js';
import { metricSum, type DaemonChild } from './daemon-child.js';
import { seedDrainBacklog } from './seed-pending.js';
import { socketOwner } from './socket-owner.js';
import { startStoredStateDaemon } from './stored-state-daemon.js';

export async function measureReplicatedDrain(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const total = options.drainDeliveries;
  const count = options.drainReplicas;
  const scenario = onEngine(
    `drain ${formatNumber(total)} pending deliveries, ${count} replicas`,
    'postgres',
  );
  const key = (name: string): string => engineKey(`drain_replicas.${name}`, 'postgres');
  const dir = await ctx.tempDir('drain-replicas');
  const database = await ctx.database('postgres', dir);
  /** pid -> replica number (1-based, in spawn order). */
  const replicaOf = new Map<number, number>();
  const receiver = await startBenchReceiver(BENCH_SECRET, {
    peerOf: ({ remotePort, localPort }) => {
      const pid = socketOwner(remotePort, localPort, replicaOf.keys());
      return pid === undefined ? undefined : `replica ${replicaOf.get(pid)}`;
    },
  });
  const daemons: DaemonChild[] = [];
  try {
    const { repositories } = await seedDrainBacklog(ctx, scenario, database, receiver.url);
    const dirs = await Promise.all(
      Array.from({ length: count }, (_, r) => ctx.tempDir(`drain-replica-${r + 1}`)),
    );
    const transactionsBefore = await database.transactions();
    const spawnedAt = wallClockMs();
    for (const replicaDir of dirs) {
      const daemon = await startStoredStateDaemon(ctx, {
        dir: replicaDir,
        database,
        receiverUrl: receiver.url,
        repositories,
      });
      daemons.push(daemon);
      replicaOf.set(daemon.pid, daemons.length);
    }
    const readyMs = await Promise.all(daemons.map((d) => d.ready(options.stepTimeoutMs)));
    const window = await watchDrain(ctx, { daemons, database, receiver, total, spawnedAt });
    // The receiver has every request; the daemons mark each delivered right after its answer.
    await waitUntil(
      async () => ((await database.countStatuses()).delivered ?? 0) >= total,
      options.stepTimeoutMs,
      `${total} deliveries marked delivered`,
      100,
    );
    const listed = await listReplicas(daemons[0]);
    const delivered = await Promise.all(
      daemons.map(async (d) =>
        metricSum(await d.metrics(), 'reposentry_deliveries_total', 'outcome="delivered"'),
      ),
    );
    await Promise.all(daemons.map((d) => d.stop()));
    const statuses = await database.countStatuses();
    const { perSecond } = window;
    report.add({
      key: key('per_second'),
      scenario,
      label: 'deliveries per second, first to last arrival',
      value: perSecond,
      unit: 'deliveries/s',
    });
    const single = report.value(engineKey('drain.per_second', 'postgres'));
    if (single !== undefined) {
      report.add({
        key: key('against_one_replica'),
        scenario,
        label: 'deliveries per second against one daemon on PostgreSQL (the drain above)',
        value: perSecond / single,
        unit: 'x',
        display: `${formatNumber(perSecond / single)}x`,
      });
    }
    await reportDrainCost(ctx, {
      scenario,
      key,
      who: `${count} replicas together`,
      window,
      database,
      transactionsBefore,
      deliveries: total,
    });
    report.add({
      key: key('ready_ms'),
      scenario,
      label: 'spawn to /readyz of the replicas, first / last',
      value: Math.max(...readyMs),
      unit: 'ms',
      display: `${formatNumber(Math.min(...readyMs))} / ${formatNumber(Math.max(...readyMs))} ms`,
    });
    report.add({
      key: key('seconds_from_spawn'),
      scenario,
      label: 'spawn of the first replica to the last delivery',
      value: (window.lastMs - spawnedAt) / 1000,
      unit: 's',
    });
    report.add({
      key: key('replicas_live'),
      scenario,
      label: 'replicas listed live by GET /api/v1/replicas at the end',
      value: listed,
      unit: `of ${count}`,
    });
    reportDrainOutcome(ctx, {
      scenario,
      key,
      receiver,
      total,
      delivered: statuses.delivered ?? 0,
    });
    reportSplit(ctx, { scenario, key, total, delivered, received: receiver.requestsByPeer() });
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await receiver.close();
    await database.close();
  }
}

/** How many replicas GET /api/v1/replicas lists as live. */
async function listReplicas(daemon: DaemonChild | undefined): Promise<number> {
  if (daemon === undefined) return 0;
  const response = await fetch(`${daemon.base}/api/v1/replicas`);
  const body = (await response.json()) as { replicas?: { live?: boolean }[] };
  if (response.status !== 200 || !Array.isArray(body.replicas)) {
    throw new Error(`bench: GET /api/v1/replicas answered ${response.status}`);
  }
  return body.replicas.filter((replica) => replica.live === true).length;
}

/** One figure per replica (its /metrics, and the receiver's count), and the largest share. */
function reportSplit(
  ctx: BenchContext,
  split: {
    scenario: string;
    key: (name: string) => string;
    total: number;
    /** Per replica, in spawn order: deliveries_total{outcome="delivered"} of its /metrics. */
    delivered: readonly number[];
    received: ReadonlyMap<string, number>;
  },
): void {
  const { report } = ctx;
  const { scenario, key, total, delivered, received } = split;
  delivered.forEach((own, index) => {
    const seen = received.get(`replica ${index + 1}`) ?? 0;
    report.add({
      key: key(`replica${index + 1}.delivered`),
      scenario,
      label: `replica ${index + 1}: deliveries by its /metrics / requests the receiver got on its connections`,
      value: own,
      unit: 'deliveries',
      display: `${formatNumber(own)} / ${formatNumber(seen)}`,
    });
  });
  const sum = delivered.reduce((a, b) => a + b, 0);
  report.add({
    key: key('delivered_by_replicas'),
    scenario,
    label: "deliveries counted by the replicas' /metrics, all together",
    value: sum,
    unit: `of ${formatNumber(total)}`,
  });
  report.add({
    key: key('unattributed_requests'),
    scenario,
    label: 'requests the receiver could not tie to a replica (connection not found in /proc)',
    value: received.get('unknown') ?? 0,
    unit: 'requests',
  });
  report.add({
    key: key('largest_share_percent'),
    scenario,
    label: `largest replica's share of the deliveries (even: ${formatNumber(100 / delivered.length)} %)`,
    value: (Math.max(...delivered) / Math.max(1, sum)) * 100,
    unit: '%',
  });
}
