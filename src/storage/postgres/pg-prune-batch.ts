import { NOTHING_PRUNED, type PruneCounts } from '../prune-counts.js';
import type { EpochMs } from '../storage-types.js';
import type { PgDatabase } from './pg-database.js';

const FINISHED = `NOT EXISTS (SELECT 1 FROM deliveries d
  WHERE d.event_id = e.id AND d.status IN ('pending', 'in_flight'))`;

/**
 * One retention batch in one transaction, as the SQLite `pruneBatch`: up to `batchSize` events
 * detected before `cutoff` whose deliveries are all finished, oldest first, with their
 * deliveries and attempts. The events are locked (FOR UPDATE SKIP LOCKED: one another process is
 * pruning or redelivering is left for later) and checked again once locked, so a redeliver that
 * committed meanwhile keeps its event: retention never loses an undelivered event.
 */
export function pgPruneBatch(
  db: PgDatabase,
  cutoff: EpochMs,
  batchSize: number,
): Promise<PruneCounts> {
  return db.transaction(async (tx) => {
    const locked = await tx.rows<{ id: string }>(
      `SELECT e.id FROM events e WHERE e.detected_at < $1 AND ${FINISHED}
         ORDER BY e.seq LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [cutoff, batchSize],
    );
    if (locked.length === 0) return NOTHING_PRUNED;
    const finished = await tx.rows<{ id: string }>(
      `SELECT e.id FROM events e WHERE e.id = ANY($1::text[]) AND ${FINISHED}`,
      [locked.map((row) => row.id)],
    );
    if (finished.length === 0) return NOTHING_PRUNED;
    const ids = finished.map((row) => row.id);
    const attempts = await tx.run(
      `DELETE FROM delivery_attempts
         WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_id = ANY($1::text[]))`,
      [ids],
    );
    const deliveries = await tx.run('DELETE FROM deliveries WHERE event_id = ANY($1::text[])', [
      ids,
    ]);
    const events = await tx.run('DELETE FROM events WHERE id = ANY($1::text[])', [ids]);
    return { events, deliveries, attempts };
  });
}
