/**
 * The drain scenarios' database: deliveries an EventListener outage left pending, due now,
 * written through the daemon's own Storage on either engine (`Storage.recordPoll`, the outbox
 * write the poller uses). Four changes per repository, two on main and two on develop, so ref
 * lanes hold two deliveries each, as an outage of a few poll intervals leaves them. Then the
 * planner's statistics, as the engine's upkeep gathers them over such an outage (see
 * BenchDatabase.analyze).
 */
import { performance } from 'node:perf_hooks';
import { eventIdOf } from '../src/events/change-event.js';
import type { Storage } from '../src/storage/storage.js';
import type { BenchContext } from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import { repoName } from './bench-github.js';
import { formatNumber } from './bench-report.js';
import { shaOf } from './seed-history.js';
import { unpolledRepoUrl } from './stored-state-daemon.js';

/**
 * Outbox writes in flight at once. SQLite's is one connection (one write at a time); on
 * PostgreSQL the writes of different repositories run side by side on the pool, as the polls of
 * several workers (or replicas) do, which keeps seeding 10,000 deliveries to seconds.
 */
const IN_FLIGHT = { sqlite: 1, postgres: 8 } as const;

/**
 * A drain scenario's backlog: `drainDeliveries` pending deliveries to `targetUrl`, of
 * repositories no forge answers for (the daemons only deliver), the time it took logged.
 */
export async function seedDrainBacklog(
  ctx: BenchContext,
  scenario: string,
  database: BenchDatabase,
  targetUrl: string,
): Promise<{ repositories: number }> {
  ctx.log(`${scenario}: seeding the outbox`);
  const started = performance.now();
  const seeded = await seedPending(database, {
    deliveries: ctx.options.drainDeliveries,
    targetUrl,
    repoUrl: unpolledRepoUrl,
  });
  ctx.log(`${scenario}: seeded in ${formatNumber((performance.now() - started) / 1000)} s`);
  return seeded;
}

export async function seedPending(
  database: BenchDatabase,
  options: { deliveries: number; targetUrl: string; repoUrl: (name: string) => string },
): Promise<{ repositories: number }> {
  const storage = database.openStorage();
  await storage.start();
  const repositories = Math.ceil(options.deliveries / 4);
  const now = Date.now();
  try {
    // Round r changes every repository once; a lane's changes are in separate rounds, written
    // in order, so each lane's second delivery follows its first.
    for (let from = 0; from < options.deliveries; from += repositories) {
      const round = Array.from(
        { length: Math.min(repositories, options.deliveries - from) },
        (_, k) => from + k,
      );
      await inParallel(round, IN_FLIGHT[database.engine], (i) =>
        writeChange(storage, i, repositories, now, options),
      );
    }
  } finally {
    await storage.stop(new AbortController().signal);
  }
  await database.analyze();
  return { repositories };
}

/** Change `i`: round `i / repositories` of repository `i % repositories`. */
async function writeChange(
  storage: Storage,
  i: number,
  repositories: number,
  now: number,
  options: { deliveries: number; targetUrl: string; repoUrl: (name: string) => string },
): Promise<void> {
  const name = repoName(i % repositories);
  const round = Math.floor(i / repositories);
  const ref = round % 2 === 0 ? 'refs/heads/main' : 'refs/heads/develop';
  // Rounds 0 and 1 are each lane's first change, 2 and 3 its second (its before: round 0 or 1).
  const before = round < 2 ? shaOf(`${name} ${ref}`) : shaOf(i - 2 * repositories);
  const after = shaOf(i);
  const transition = Math.floor(round / 2) + 1;
  const repository = { name, url: options.repoUrl(name), provider: 'github' as const };
  const polledAt = now - (options.deliveries - i);
  if (round === 0) await storage.repositories.track(repository, polledAt);
  await storage.recordPoll({
    repository,
    refs: { upsert: [{ ref, sha: after }], remove: [] },
    events: [
      {
        id: eventIdOf(name, ref, before, after, transition),
        type: 'branch.updated',
        repository,
        ref,
        before,
        after,
        transition,
        detectedAt: new Date(polledAt),
      },
    ],
    targets: [{ url: options.targetUrl, format: 'github' }],
    pollState: {
      polledAt,
      nextPollAt: polledAt + 60_000,
      via: 'api',
      baselined: { branch: true, tag: false, pull: false },
    },
  });
}

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
