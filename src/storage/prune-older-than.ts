import type { Database } from 'better-sqlite3';
import { withStorageErrors } from './map-storage-error.js';
import { addPruneCounts, NOTHING_PRUNED, type PruneCounts } from './prune-counts.js';
import type { EpochMs } from './storage-types.js';

export { addPruneCounts, NOTHING_PRUNED, type PruneCounts } from './prune-counts.js';

/**
 * Deletes up to `batchSize` events detected before `cutoff` whose deliveries are all finished
 * (delivered or failed; an event without deliveries counts as finished), with their deliveries
 * and attempts, in one short transaction. Events with a pending or in_flight delivery are kept
 * whatever their age: retention never loses an undelivered event.
 */
export function pruneBatch(db: Database, cutoff: EpochMs, batchSize: number): PruneCounts {
  return withStorageErrors(db.name, () =>
    db
      .transaction((): PruneCounts => {
        const ids = db
          .prepare<[number, number], string>(
            `SELECT e.id FROM events e
             WHERE e.detected_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d
               WHERE d.event_id = e.id AND d.status IN ('pending', 'in_flight'))
             ORDER BY e.seq LIMIT ?`,
          )
          .pluck()
          .all(cutoff, batchSize);
        if (ids.length === 0) return NOTHING_PRUNED;
        const list = JSON.stringify(ids);
        const inBatch = 'event_id IN (SELECT value FROM json_each(?))';
        const attempts = db
          .prepare(
            `DELETE FROM delivery_attempts
             WHERE delivery_id IN (SELECT id FROM deliveries WHERE ${inBatch})`,
          )
          .run(list).changes;
        const deliveries = db.prepare(`DELETE FROM deliveries WHERE ${inBatch}`).run(list).changes;
        const events = db
          .prepare('DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))')
          .run(list).changes;
        return { events, deliveries, attempts };
      })
      .immediate(),
  );
}

/** `pruneBatch` until nothing is left: each batch is its own transaction. */
export function pruneOlderThan(db: Database, cutoff: EpochMs, batchSize = 500): PruneCounts {
  let total = NOTHING_PRUNED;
  for (;;) {
    const counts = pruneBatch(db, cutoff, batchSize);
    total = addPruneCounts(total, counts);
    if (counts.events < batchSize) return total;
  }
}
