import {
  repositoryColumns,
  type RepositoryRecord,
  type RepositorySync,
  type TrackResult,
} from '../repository-record.js';
import type { EpochMs, RepositoryIdentity } from '../storage-types.js';
import { ADVISORY_LOCK, LOCK_NAMESPACE } from './advisory-locks.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { planRepositorySync, type RepositorySyncPlan } from './plan-repository-sync.js';

const COLUMNS = repositoryColumns('r');

/**
 * The repositories table (see the SQLite `RepositoryStore` for what a row means). `track` and
 * `syncFromConfig` take a transaction-level advisory lock, so changes of the watched set run one
 * at a time across processes, read what is stored, and write the outcome with a handful of
 * set-based statements whatever the number of repositories.
 */
export class PgRepositoryStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => EpochMs,
  ) {}

  /** Starts or keeps watching a repository; at another url or provider its state is forgotten. */
  track(repository: RepositoryIdentity, at: EpochMs = this.now()): Promise<TrackResult> {
    return this.db.transaction(async (tx) => {
      await lockWatchedSet(tx);
      const known = await tx.rows<RepositoryRecord>(
        `SELECT ${COLUMNS} FROM repositories r WHERE r.name = $1`,
        [repository.name],
      );
      const plan = planRepositorySync(byName(known), [repository]);
      await apply(tx, plan, at);
      return plan.results[0] ?? 'kept';
    });
  }

  /** Makes the watched set exactly `repositories`, in one transaction. */
  syncFromConfig(
    repositories: readonly RepositoryIdentity[],
    at: EpochMs = this.now(),
  ): Promise<RepositorySync> {
    return this.db.transaction(async (tx) => {
      await lockWatchedSet(tx);
      const known = await tx.rows<RepositoryRecord>(
        `SELECT ${COLUMNS} FROM repositories r ORDER BY r.name`,
      );
      const plan = planRepositorySync(byName(known), repositories);
      await apply(tx, plan, at);
      const watched = new Set(repositories.map((repository) => repository.name));
      const removed = known.map((record) => record.name).filter((name) => !watched.has(name));
      if (removed.length > 0) {
        await tx.run('DELETE FROM http_cache WHERE repository = ANY($1::text[])', [removed]);
        // ref_state and poll_state follow by ON DELETE CASCADE.
        await tx.run('DELETE FROM repositories WHERE name = ANY($1::text[])', [removed]);
      }
      const named = (result: TrackResult): string[] =>
        repositories.flatMap((repository, i) =>
          plan.results[i] === result ? [repository.name] : [],
        );
      return { added: named('added'), repointed: named('repointed'), removed };
    });
  }

  /** Whether this repository, at this url and provider, is being watched. */
  async isCurrent(repository: RepositoryIdentity): Promise<boolean> {
    return isCurrentIn(this.db, repository);
  }

  get(name: string): Promise<RepositoryRecord | undefined> {
    return this.db.first<RepositoryRecord>(
      `SELECT ${COLUMNS} FROM repositories r WHERE r.name = $1`,
      [name],
    );
  }
}

/**
 * Whether `repository` is watched at its url and provider, read through `q`. With `lock`, the
 * row is locked FOR SHARE until the transaction ends, so it cannot be repointed or removed
 * before what is recorded about it commits.
 */
export async function isCurrentIn(
  q: PgQueryable,
  repository: RepositoryIdentity,
  lock = false,
): Promise<boolean> {
  const known = await q.first<{ url: string; provider: string }>(
    `SELECT url, provider FROM repositories WHERE name = $1${lock ? ' FOR SHARE' : ''}`,
    [repository.name],
  );
  return known?.url === repository.url && known.provider === repository.provider;
}

async function lockWatchedSet(tx: PgQueryable): Promise<void> {
  await tx.rows('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, ADVISORY_LOCK.watchedSet]);
}

function byName(records: readonly RepositoryRecord[]): Map<string, RepositoryIdentity> {
  return new Map(records.map((record) => [record.name, record]));
}

/**
 * Writes a plan. The repository rows come first: a poll being recorded holds its repository's
 * row FOR SHARE, so the update waits for it (or it waits for the update and then finds the
 * repository repointed); taking the row before the forgotten state keeps the two from waiting
 * for each other.
 */
async function apply(tx: PgQueryable, plan: RepositorySyncPlan, at: EpochMs): Promise<void> {
  if (plan.inserts.length > 0) {
    await tx.run(
      `INSERT INTO repositories (name, provider, url, first_seen_at, last_seen_in_config_at)
         SELECT t.name, t.provider, t.url, $4::bigint, $4::bigint
           FROM unnest($1::text[], $2::text[], $3::text[]) AS t(name, provider, url)`,
      [
        plan.inserts.map((r) => r.name),
        plan.inserts.map((r) => r.provider),
        plan.inserts.map((r) => r.url),
        at,
      ],
    );
  }
  if (plan.updates.length > 0) {
    await tx.run(
      `UPDATE repositories r SET provider = t.provider, url = t.url,
           last_seen_in_config_at = $5::bigint,
           first_seen_at = CASE WHEN t.reset THEN $5::bigint ELSE r.first_seen_at END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[])
           AS t(name, provider, url, reset)
         WHERE r.name = t.name`,
      [
        plan.updates.map((r) => r.name),
        plan.updates.map((r) => r.provider),
        plan.updates.map((r) => r.url),
        plan.updates.map((r) => r.resetFirstSeen),
        at,
      ],
    );
  }
  if (plan.forget.length > 0) {
    for (const table of ['ref_state', 'poll_state', 'http_cache']) {
      await tx.run(`DELETE FROM ${table} WHERE repository = ANY($1::text[])`, [plan.forget]);
    }
  }
}
