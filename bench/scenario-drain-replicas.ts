/**
 * The drain with several replicas: the drain scenario's backlog of pending deliveries in one
 * PostgreSQL database, and `drainReplicas` daemons spawned on it together, all sending to the
 * receiver. Deliveries per second from the first to the last arrival; every event exactly once
 * (the claims are row locks with SKIP LOCKED and leases: nothing may go out twice with no replica
 * killed); and how the work split, counted twice: by the receiver, per TCP connection, each
 * connection's daemon found in /proc (socket-owner.ts), and by each daemon's own /metrics.
 */
import { performance } from 'node:perf_hooks';
import { BENCH_SECRET } from './bench-config.js';
import { waitUntil, type BenchContext } from './bench-context.js';
import { engineKey, onEngine } from './bench-options.js';
import { exactly, formatNumber } from './bench-report.js';
import { cpuPoint, reportDrainCpu, reportTransactions } from './drain-cpu.js';
import { startBenchReceiver, wallClockMs } from './bench-receiver.js';
import { metricSum, type DaemonChild } from './daemon-child.js';
import { seedPending } from './seed-pending.js';
import { socketOwner } from './socket-owner.js';
import { startStoredStateDaemon, unpolledRepoUrl } from './stored-state-daemon.js';

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
    ctx.log(`${scenario}: seeding the outbox`);
    const seedStarted = performance.now();
    const { repositories } = await seedPending(database, {
      deliveries: total,
      targetUrl: receiver.url,
      repoUrl: unpolledRepoUrl,
    });
    ctx.log(`${scenario}: seeded in ${formatNumber((performance.now() - seedStarted) / 1000)} s`);
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
    await receiver.waitForEvents(1, options.stepTimeoutMs);
    const cpuFrom = await cpuPoint(daemons, database, receiver);
    await receiver.waitForEvents(total, options.stepTimeoutMs);
    const cpuTo = await cpuPoint(daemons, database, receiver);
    const arrivals = receiver.arrivals();
    const first = arrivals[0]?.atMs ?? spawnedAt;
    const last = arrivals.at(-1)?.atMs ?? spawnedAt;
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
    const perSecond = (total - 1) / ((last - first) / 1000);
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
    reportDrainCpu(ctx, {
      scenario,
      key,
      who: `${count} replicas together`,
      from: cpuFrom,
      to: cpuTo,
    });
    await reportTransactions(ctx, {
      scenario,
      key,
      database,
      before: transactionsBefore,
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
      value: (last - spawnedAt) / 1000,
      unit: 's',
    });
    report.add({
      key: key('replicas_live'),
      scenario,
      label: 'replicas listed live by GET /api/v1/replicas at the end',
      value: listed,
      unit: `of ${count}`,
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
