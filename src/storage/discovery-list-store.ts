import type { DiscoveryListRecord, DiscoveryListWrite } from './discovery-list-record.js';
import { discoveryListOf, type DiscoveryListRow } from './discovery-list-row.js';
import { SqlStore } from './sql-store.js';

/** The discovery_lists table (see DiscoveryListRecord). */
export class DiscoveryListStore extends SqlStore {
  list(): DiscoveryListRecord[] {
    return this.guard(() =>
      this.prepare<[], DiscoveryListRow>('SELECT * FROM discovery_lists ORDER BY entry')
        .all()
        .map((row) => discoveryListOf(row, JSON.parse(String(row.repositories)) as unknown[])),
    );
  }

  /**
   * Writes an entry's list when its stored generation is still `generation` (undefined: no row
   * yet); false when another write came first.
   */
  save(list: DiscoveryListWrite, generation: number | undefined): boolean {
    const values = [
      list.sourceKey,
      JSON.stringify(list.repositories),
      list.readAt ?? null,
      list.failure?.code ?? null,
      list.failure?.message ?? null,
      list.failure?.at ?? null,
      list.failure?.count ?? 0,
    ] as const;
    return this.guard(() => {
      if (generation === undefined) {
        return (
          this.prepare(
            `INSERT INTO discovery_lists (source_key, repositories, read_at, failure_code,
               failure_message, failed_at, failures, entry, generation)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (entry) DO NOTHING`,
          ).run(...values, list.entry).changes === 1
        );
      }
      return (
        this.prepare(
          `UPDATE discovery_lists SET source_key = ?, repositories = ?, read_at = ?,
             failure_code = ?, failure_message = ?, failed_at = ?, failures = ?,
             generation = generation + 1
             WHERE entry = ? AND generation = ?`,
        ).run(...values, list.entry, generation).changes === 1
      );
    });
  }

  /** Deletes the lists of entries not in `entries`; returns what they were. */
  retain(entries: readonly string[]): DiscoveryListRecord[] {
    return this.atomically(() => {
      const gone = this.list().filter((list) => !entries.includes(list.entry));
      for (const list of gone) {
        this.prepare('DELETE FROM discovery_lists WHERE entry = ?').run(list.entry);
      }
      return gone;
    });
  }
}
