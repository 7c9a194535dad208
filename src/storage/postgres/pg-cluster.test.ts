import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../../test/helpers/capture-logger.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../test/helpers/postgres-database.js';
import { eventIdOf, type ChangeEvent } from '../../events/change-event.js';
import type { Cluster, HeartbeatOptions, ReplicaIdentity } from '../cluster.js';
import { PostgresStorage } from './postgres-storage.js';

const available = await postgresAvailable();
const stopped = (): AbortSignal => new AbortController().signal;
const NAMES = ['r1', 'r2', 'r3', 'r4', 'r5'];
const TARGET = { url: 'http://listener.test/', format: 'github' } as const;

function replica(id: string): ReplicaIdentity {
  return { id, host: 'host', pid: 1, version: '0', startedAt: 1_000 };
}

function beat(pollable: readonly string[] = NAMES, leaseMs = 60_000): HeartbeatOptions {
  return { ttlMs: 90_000, leaseMs, pollable, busy: [] };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!available)('PgCluster and the delivery leases on PostgreSQL', () => {
  let db: TestDatabase;
  const open: PostgresStorage[] = [];

  async function storage(claimant?: { id: string; leaseTtlMs: number }) {
    const created = new PostgresStorage({
      url: db.url,
      maxConnections: 3,
      log: createCaptureLogger().log,
      ...(claimant ? { claimant } : {}),
    });
    open.push(created);
    await created.start();
    return created;
  }

  function clusterOf(s: PostgresStorage): Cluster {
    const cluster = s.cluster;
    if (cluster === undefined) throw new Error('not open');
    return cluster;
  }

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.stop(stopped())));
    await db.drop();
  });

  it('shares the repositories fairly, never one twice, and hands a silent replica’s over', async () => {
    const s = await storage();
    await s.repositories.syncFromConfig(
      NAMES.map((name) => ({ name, provider: 'git', url: `file:///${name}` })),
    );
    const cluster = clusterOf(s);
    for (const id of ['a', 'b']) await cluster.join(replica(id));
    const a1 = await cluster.heartbeat(replica('a'), beat());
    const b1 = await cluster.heartbeat(replica('b'), beat());
    const a2 = await cluster.heartbeat(replica('a'), beat());
    // Two live replicas: three each at most (5 / 2, rounded up), every repository held once.
    expect(a1.held).toHaveLength(3);
    expect(b1.held).toHaveLength(2);
    expect([...a2.held, ...b1.held].sort()).toEqual(NAMES);
    expect(a2.live).toBe(2);

    // b can poll only r1 and r2 now: it hands back any other.
    const b2 = await cluster.heartbeat(replica('b'), beat(['r1', 'r2']));
    expect(b2.held.every((name) => ['r1', 'r2'].includes(name))).toBe(true);

    // b falls silent; once its leases (short here) run out, a holds everything.
    await cluster.heartbeat(replica('b'), beat(['r1', 'r2'], 100));
    await sleep(200);
    const a3 = await cluster.heartbeat(replica('a'), beat(NAMES, 100));
    expect(a3.live).toBe(1);
    expect(a3.held).toEqual(NAMES);
    expect(await cluster.list(90_000)).toContainEqual(
      expect.objectContaining({ id: 'a', repositories: NAMES }),
    );
  });

  it('registers a replica again whose row was forgotten while it was away', async () => {
    const s = await storage();
    const cluster = clusterOf(s);
    await cluster.join(replica('a'));
    await sleep(20);
    expect(await cluster.forgetSilent(1)).toBe(1);
    expect(await cluster.list(90_000)).toEqual([]);
    await cluster.heartbeat(replica('a'), beat());
    expect((await cluster.list(90_000)).map((r) => r.id)).toEqual(['a']);
  });

  it('lets one replica lead at a time, and another once its session ends', async () => {
    const first = await storage();
    const second = await storage();
    expect(await clusterOf(first).tryLead()).toBe(true);
    expect(await clusterOf(first).tryLead()).toBe(true);
    expect(await clusterOf(second).tryLead()).toBe(false);
    await first.stop(stopped());
    expect(await clusterOf(second).tryLead()).toBe(true);
  });

  it('claims a dead replica’s delivery again once its lease runs out, and refuses the late outcome', async () => {
    const a = await storage({ id: 'a', leaseTtlMs: 150 });
    const b = await storage({ id: 'b', leaseTtlMs: 60_000 });
    const repo = { name: 'app', provider: 'git', url: 'file:///app' } as const;
    await a.repositories.track(repo, 1_000);
    const event: ChangeEvent = {
      id: eventIdOf('app', 'refs/heads/main', null, 'a'.repeat(40), 1),
      type: 'branch.created',
      repository: repo,
      ref: 'refs/heads/main',
      before: null,
      after: 'a'.repeat(40),
      transition: 1,
      detectedAt: new Date(1_000),
    };
    await a.recordPoll({
      repository: repo,
      refs: { upsert: [{ ref: event.ref, sha: 'a'.repeat(40) }], remove: [] },
      events: [event],
      targets: [TARGET],
      pollState: {
        polledAt: 1_000,
        nextPollAt: 2_000,
        via: 'ls-remote',
        baselined: { branch: true, tag: false, pull: false },
      },
    });
    const [claimed] = await a.deliveries.claimDue(Date.now(), 10);
    expect(claimed).toBeDefined();
    const id = claimed?.delivery.id ?? 0;
    // a holds it: b claims nothing, and knows when a's lease runs out.
    expect(await b.deliveries.claimDue(Date.now(), 10)).toEqual([]);
    expect(await b.deliveries.nextDueAt()).toBeGreaterThan(Date.now() - 1_000);
    // a dies mid-send (no heartbeat renews its lease); after the lease b sends it.
    await sleep(250);
    const [again] = await b.deliveries.claimDue(Date.now(), 10);
    expect(again?.delivery.id).toBe(id);
    await expect(a.deliveries.markDelivered(id, Date.now())).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('being sent by replica b'),
    });
    await b.deliveries.markDelivered(id, Date.now());
    expect(await b.deliveries.countByStatus()).toMatchObject({ delivered: 1, in_flight: 0 });
    // A new start of a requeues nothing of b's.
    expect(await a.deliveries.requeueInFlight()).toBe(0);
  });

  it('carries messages between replicas and listens again after its connection is lost', async () => {
    const a = await storage();
    const b = await storage();
    const heard: string[] = [];
    let gaps = 0;
    const unsubscribe = await clusterOf(b).subscribe(
      (payload) => heard.push(payload),
      () => {
        gaps += 1;
      },
    );
    await clusterOf(a).publish('one');
    await waitUntil(() => heard.includes('one'));
    // The listening session is ended by the server (a failover, an idle-session reaper).
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
      );
    } finally {
      await admin.end();
    }
    await waitUntil(() => gaps === 1, 5_000);
    await clusterOf(a).publish('two');
    await waitUntil(() => heard.includes('two'));
    await unsubscribe();
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await sleep(20);
  }
}
