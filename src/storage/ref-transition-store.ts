import { SqlStore } from './sql-store.js';

/**
 * The ref_transitions table: how many transitions were recorded for each (repository, ref). It
 * has no foreign key and nothing deletes from it, so a ref that is deleted and re-created, or a
 * repository removed from the config and put back, keeps counting where it left off: a number,
 * and with it an event id, is never used twice.
 */
export class RefTransitionStore extends SqlStore {
  /** The last recorded number of each given ref; refs never transitioned are absent (0). */
  lastNumbers(repository: string, refs: readonly string[]): Map<string, number> {
    return this.guard(() => {
      const statement = this.prepare<[string, string]>(
        'SELECT last_number FROM ref_transitions WHERE repository = ? AND ref = ?',
      ).pluck();
      const numbers = new Map<string, number>();
      for (const ref of refs) {
        const last = statement.get(repository, ref) as number | undefined;
        if (last !== undefined) numbers.set(ref, last);
      }
      return numbers;
    });
  }

  /** The last recorded number of every ref of a repository that ever transitioned. */
  all(repository: string): Map<string, number> {
    return this.guard(() => {
      const rows = this.prepare<[string], { ref: string; last: number }>(
        'SELECT ref, last_number AS last FROM ref_transitions WHERE repository = ?',
      ).all(repository);
      return new Map(rows.map((row) => [row.ref, row.last]));
    });
  }

  /**
   * Compare and set: moves the ref's counter from `number - 1` to `number`. False when the counter
   * is elsewhere (another writer recorded a transition of this ref since the caller read it).
   */
  advance(repository: string, ref: string, number: number): boolean {
    return this.guard(() => {
      if (number === 1) {
        return (
          this.prepare(
            `INSERT INTO ref_transitions (repository, ref, last_number) VALUES (?, ?, 1)
               ON CONFLICT (repository, ref) DO NOTHING`,
          ).run(repository, ref).changes === 1
        );
      }
      return (
        this.prepare(
          `UPDATE ref_transitions SET last_number = ?
             WHERE repository = ? AND ref = ? AND last_number = ?`,
        ).run(number, repository, ref, number - 1).changes === 1
      );
    });
  }
}
