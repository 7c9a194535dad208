import type { RefSha, RefStateRecord } from './ref-state-record.js';
import { SqlStore } from './sql-store.js';
import type { EpochMs } from './storage-types.js';

export type { RefSha, RefStateRecord } from './ref-state-record.js';

/** The ref_state table: the last recorded sha of every listed ref of every repository. */
export class RefStateStore extends SqlStore {
  /** The recorded refs of a repository, in ref order. */
  list(repository: string): Map<string, RefStateRecord> {
    const rows = this.guard(() =>
      this.prepare<[string], RefStateRecord>(
        `SELECT ref, sha, seen_at AS seenAt, updated_at AS updatedAt
           FROM ref_state WHERE repository = ? ORDER BY ref`,
      ).all(repository),
    );
    return new Map(rows.map((row) => [row.ref, row]));
  }

  /** How many refs are recorded per repository (repositories without refs are absent). */
  counts(): Map<string, number> {
    const rows = this.guard(() =>
      this.prepare<[], { repository: string; n: number }>(
        'SELECT repository, count(*) AS n FROM ref_state GROUP BY repository',
      ).all(),
    );
    return new Map(rows.map((row) => [row.repository, row.n]));
  }

  /** Ref -> sha, the shape change detection compares a listing with. */
  shas(repository: string): Map<string, string> {
    return new Map([...this.list(repository)].map(([ref, record]) => [ref, record.sha]));
  }

  /**
   * Writes refs; an unchanged sha is left alone (its `updatedAt` stays). The repository row must
   * exist: use it inside `Storage.recordPoll`, which creates it.
   */
  upsert(repository: string, refs: readonly RefSha[], at: EpochMs): void {
    this.guard(() => {
      const statement = this.prepare(
        `INSERT INTO ref_state (repository, ref, sha, seen_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (repository, ref) DO UPDATE SET sha = excluded.sha,
           updated_at = excluded.updated_at
         WHERE ref_state.sha <> excluded.sha`,
      );
      for (const { ref, sha } of refs) statement.run(repository, ref, sha, at, at);
    });
  }

  /** Deletes the given refs of a repository; returns how many were recorded. */
  remove(repository: string, refs: readonly string[]): number {
    return this.guard(() => {
      const statement = this.prepare('DELETE FROM ref_state WHERE repository = ? AND ref = ?');
      return refs.reduce((count, ref) => count + statement.run(repository, ref).changes, 0);
    });
  }
}
