import type { Migration } from './migration.js';

/**
 * Version 2: indexes for large queues and histories, found by `npm run bench`.
 * - `deliveries_pending_by_id`: the pending deliveries in id order, so a claim of the oldest due
 *   ones reads a few index entries instead of sorting every pending delivery. Each claim (one per
 *   finished delivery) was O(pending): 10,000 deliveries left by an EventListener outage drained
 *   at under 100 per second.
 * - `events_repository_seq`: a repository's events newest first, so `GET /api/v1/events?repository=`
 *   reads one page instead of sorting every event of the repository (200 ms for 250,000).
 */
export const scalingIndexes: Migration = {
  version: 2,
  name: 'scaling-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX deliveries_pending_by_id ON deliveries (id) WHERE status = 'pending';
      CREATE INDEX events_repository_seq ON events (repository, seq);
    `);
  },
};
