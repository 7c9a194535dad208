import type { RefSha, RefStateRecord } from '../ref-state-record.js';
import type { EpochMs } from '../storage-types.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';

/** The ref_state table: the last recorded sha of every listed ref of every repository. */
export class PgRefStateStore {
  constructor(private readonly db: PgDatabase) {}

  /** The recorded refs of a repository, in ref order (bytewise, as SQLite sorts). */
  async list(repository: string): Promise<Map<string, RefStateRecord>> {
    const rows = await this.db.rows<RefStateRecord>(
      `SELECT ref, sha, seen_at AS "seenAt", updated_at AS "updatedAt"
         FROM ref_state WHERE repository = $1 ORDER BY ref`,
      [repository],
    );
    return new Map(rows.map((row) => [row.ref, row]));
  }

  /** How many refs are recorded per repository (repositories without refs are absent). */
  async counts(): Promise<Map<string, number>> {
    const rows = await this.db.rows<{ repository: string; n: number }>(
      'SELECT repository, count(*) AS n FROM ref_state GROUP BY repository',
    );
    return new Map(rows.map((row) => [row.repository, row.n]));
  }

  /** Ref -> sha, the shape change detection compares a listing with. */
  async shas(repository: string): Promise<Map<string, string>> {
    return new Map([...(await this.list(repository))].map(([ref, record]) => [ref, record.sha]));
  }
}

/**
 * Writes refs inside the caller's transaction (`recordPoll`); an unchanged sha is left alone (its
 * `updatedAt` stays). Rows are written in ref order, so two transactions never lock the same refs
 * in opposite orders; a ref listed twice counts once, with its last sha.
 */
export async function upsertRefs(
  tx: PgQueryable,
  repository: string,
  refs: readonly RefSha[],
  at: EpochMs,
): Promise<void> {
  const last = new Map(refs.map(({ ref, sha }) => [ref, sha]));
  if (last.size === 0) return;
  await tx.run(
    `INSERT INTO ref_state (repository, ref, sha, seen_at, updated_at)
       SELECT $1, t.ref, t.sha, $4::bigint, $4::bigint
         FROM unnest($2::text[], $3::text[]) AS t(ref, sha) ORDER BY t.ref COLLATE "C"
     ON CONFLICT (repository, ref) DO UPDATE SET sha = excluded.sha,
       updated_at = excluded.updated_at
     WHERE ref_state.sha <> excluded.sha`,
    [repository, [...last.keys()], [...last.values()], at],
  );
}

/** Deletes the given refs of a repository; returns how many were recorded. */
export async function removeRefs(
  tx: PgQueryable,
  repository: string,
  refs: readonly string[],
): Promise<number> {
  if (refs.length === 0) return 0;
  return tx.run('DELETE FROM ref_state WHERE repository = $1 AND ref = ANY($2::text[])', [
    repository,
    refs,
  ]);
}
