import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../../test/helpers/capture-logger.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../test/helpers/postgres-database.js';
import { eventIdOf, type ChangeEvent } from '../../events/change-event.js';
import type { PollRecord } from '../poll-record.js';
import type { RepositoryIdentity } from '../storage-types.js';
import { PostgresStorage } from './postgres-storage.js';

const available = await postgresAvailable();
const stopped = (): AbortSignal => new AbortController().signal;
const REPO = { name: 'app', provider: 'github', url: 'https://github.com/org/app' } as const;
const TARGET = { url: 'http://listener.test/', format: 'github' } as const;

function sha(n: number): string {
  return n.toString(16).padStart(40, '0');
}

/** An update of `ref` from sha(before) to sha(after), as the ref's `transition`th. */
function update(ref: string, before: number, after: number, transition: number): ChangeEvent {
  return {
    id: eventIdOf(REPO.name, ref, sha(before), sha(after), transition),
    type: 'branch.updated',
    repository: REPO,
    ref,
    before: sha(before),
    after: sha(after),
    transition,
    detectedAt: new Date(1_000),
  };
}

function poll(events: readonly ChangeEvent[]): PollRecord {
  return {
    repository: REPO,
    refs: { upsert: events.map((e) => ({ ref: e.ref, sha: e.after ?? '' })), remove: [] },
    events,
    targets: [TARGET],
    pollState: {
      polledAt: 1_000,
      nextPollAt: 61_000,
      via: 'api',
      baselined: { branch: true, tag: true, pull: false },
    },
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

describe.skipIf(!available)('PostgresStorage with several processes on one database', () => {
  let db: TestDatabase;
  let a: PostgresStorage;
  let b: PostgresStorage;

  beforeEach(async () => {
    db = await createTestDatabase();
    const open = (): PostgresStorage =>
      new PostgresStorage({ url: db.url, maxConnections: 8, log: createCaptureLogger().log });
    a = open();
    b = open();
    await a.start();
    await b.start();
    await a.repositories.track(REPO, 0);
  });
  afterEach(async () => {
    await Promise.all([a.stop(stopped()), b.stop(stopped())]);
    await db.drop();
  });

  it('never hands one delivery to two claims, and keeps each ref lane in order', async () => {
    const lanes = Array.from({ length: 40 }, (_, i) => update(`refs/heads/b${i}`, 1, 2, 1));
    await a.recordPoll(poll(lanes));
    // A second and third delivery on lane b0, held back while the first is open.
    await a.recordPoll(poll([update('refs/heads/b0', 2, 3, 2)]));
    await a.recordPoll(poll([update('refs/heads/b0', 3, 4, 3)]));

    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).deliveries.claimDue(5_000, 5)),
    );
    const claimed = claims.flat().map((c) => c.delivery);
    const ids = claimed.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(40);
    expect(new Set(claimed.map((d) => d.ref)).size).toBe(40);
    for (const claim of claims) {
      const order = claim.map((c) => c.delivery.id);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect(await a.deliveries.countByStatus()).toEqual({
      pending: 2,
      in_flight: 40,
      delivered: 0,
      failed: 0,
    });

    // The lane moves on only once its open delivery is finished, one at a time.
    const first = claimed.find((d) => d.ref === 'refs/heads/b0');
    await a.deliveries.markDelivered(first?.id ?? 0, 6_000);
    const next = await Promise.all([a, b].map((s) => s.deliveries.claimDue(7_000, 10)));
    expect(next.flat().map((c) => c.event.transition)).toEqual([2]);
  });

  it('records one observation made by two processes at once as one event', async () => {
    for (let round = 1; round <= 5; round++) {
      const event = update('refs/heads/main', round, round + 1, round);
      const [x, y] = await Promise.all([a.recordPoll(poll([event])), b.recordPoll(poll([event]))]);
      expect([x.newEvents.length, y.newEvents.length].sort()).toEqual([0, 1]);
      expect([...x.duplicateEventIds, ...y.duplicateEventIds]).toEqual([event.id]);
      expect(x.deliveriesCreated + y.deliveriesCreated).toBe(1);
    }
    expect(await a.events.count()).toBe(5);
  });

  it('lets only one of two different transitions take a ref number; the other is conflict', async () => {
    for (let round = 1; round <= 5; round++) {
      const results = await Promise.allSettled([
        a.recordPoll(poll([update('refs/heads/main', 100 + round, 200 + round, round)])),
        b.recordPoll(poll([update('refs/heads/main', 100 + round, 300 + round, round)])),
      ]);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ reason: { code: 'conflict' } });
    }
    expect(await a.events.count()).toBe(5);
    expect(await b.refTransitions.lastNumbers(REPO.name, ['refs/heads/main'])).toEqual(
      new Map([['refs/heads/main', 5]]),
    );
  });

  it('redelivers an event once when two redelivers race; the other is conflict', async () => {
    const event = update('refs/heads/main', 1, 2, 1);
    await a.recordPoll(poll([event]));
    for (let round = 1; round <= 5; round++) {
      const [claimed] = await a.deliveries.claimDue(Number.MAX_SAFE_INTEGER, 1);
      await a.deliveries.markFailed(claimed?.delivery.id ?? 0, 'HTTP 500', 500);
      const results = await Promise.allSettled([
        a.deliveries.redeliver(event.id, round),
        b.deliveries.redeliver(event.id, round),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({
        reason: { code: 'conflict' },
      });
      expect(await a.deliveries.countByStatus()).toMatchObject({ pending: 1, failed: 0 });
    }
  });

  it('syncs 10,000 repositories from config in one transaction, and again changed', async () => {
    const repos = (from: number, to: number, host = 'git.test'): RepositoryIdentity[] =>
      Array.from({ length: to - from }, (_, i) => ({
        name: `r${String(from + i).padStart(5, '0')}`,
        provider: 'git',
        url: `https://${host}/r${from + i}.git`,
      }));
    const first = await timed(() => a.repositories.syncFromConfig(repos(0, 10_000), 1_000));
    expect(first.result.added).toHaveLength(10_000);
    expect(first.result.removed).toEqual([REPO.name]);
    expect(first.ms).toBeLessThan(10_000);

    // 5,000 kept, 2,500 repointed, 2,500 removed, 1,000 added.
    const next = [
      ...repos(0, 5_000),
      ...repos(5_000, 7_500, 'moved.test'),
      ...repos(10_000, 11_000),
    ];
    const second = await timed(() => b.repositories.syncFromConfig(next, 2_000));
    expect(second.result.added).toEqual(repos(10_000, 11_000).map((r) => r.name));
    expect(second.result.repointed).toEqual(repos(5_000, 7_500).map((r) => r.name));
    expect(second.result.removed).toEqual(repos(7_500, 10_000).map((r) => r.name));
    expect(await a.repositories.get('r00001')).toMatchObject({
      firstSeenAt: 1_000,
      lastSeenInConfigAt: 2_000,
    });
    expect(await a.repositories.get('r05001')).toMatchObject({
      url: 'https://moved.test/r5001.git',
      firstSeenAt: 2_000,
    });
    expect(await a.repositories.get('r07501')).toBeUndefined();
  });
});
