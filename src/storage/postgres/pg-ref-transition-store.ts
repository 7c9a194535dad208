import type { PgDatabase, PgQueryable } from './pg-database.js';

/**
 * The ref_transitions table: how many transitions were recorded for each (repository, ref); never
 * deleted, so a number (and the event id derived from it) is never used twice.
 */
export class PgRefTransitionStore {
  constructor(private readonly db: PgDatabase) {}

  /** The last recorded number of each given ref; refs never transitioned are absent (0). */
  async lastNumbers(repository: string, refs: readonly string[]): Promise<Map<string, number>> {
    const numbers = new Map<string, number>();
    if (refs.length === 0) return numbers;
    const rows = await this.db.rows<{ ref: string; last: number }>(
      `SELECT ref, last_number AS last FROM ref_transitions
         WHERE repository = $1 AND ref = ANY($2::text[])`,
      [repository, refs],
    );
    const found = new Map(rows.map((row) => [row.ref, row.last]));
    for (const ref of refs) {
      const last = found.get(ref);
      if (last !== undefined) numbers.set(ref, last);
    }
    return numbers;
  }

  /** The last recorded number of every ref of a repository that ever transitioned. */
  async all(repository: string): Promise<Map<string, number>> {
    const rows = await this.db.rows<{ ref: string; last: number }>(
      'SELECT ref, last_number AS last FROM ref_transitions WHERE repository = $1',
      [repository],
    );
    return new Map(rows.map((row) => [row.ref, row.last]));
  }
}

/**
 * Compare and set, inside the caller's transaction: moves the ref's counter from `number - 1` to
 * `number`. False when the counter is elsewhere (another writer recorded a transition of this ref
 * since the caller read it). Correct under READ COMMITTED with concurrent writers: the first
 * number is an insert that a concurrent insert of the same key waits for and then skips, a later
 * one an update whose condition is checked again on the row once a concurrent update commits.
 */
export async function advanceTransition(
  tx: PgQueryable,
  repository: string,
  ref: string,
  number: number,
): Promise<boolean> {
  if (number === 1) {
    const inserted = await tx.run(
      `INSERT INTO ref_transitions (repository, ref, last_number) VALUES ($1, $2, 1)
         ON CONFLICT (repository, ref) DO NOTHING`,
      [repository, ref],
    );
    return inserted === 1;
  }
  const updated = await tx.run(
    `UPDATE ref_transitions SET last_number = $3
       WHERE repository = $1 AND ref = $2 AND last_number = $4`,
    [repository, ref, number, number - 1],
  );
  return updated === 1;
}
