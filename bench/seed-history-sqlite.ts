/**
 * Writes the events-API history (seed-history.ts) into an SQLite file the daemon's migrations
 * created: prepared INSERTs, one transaction per batch, seqs and delivery ids assigned by SQLite
 * (1, 2, ... on the fresh file), then ref_transitions from the events and a WAL checkpoint.
 */
import Database from 'better-sqlite3';
import type { HistoryRow } from './seed-history.js';

/** Returns the highest event seq. */
export function writeHistorySqlite(
  file: string,
  targetUrl: string,
  batches: Iterable<readonly HistoryRow[]>,
): number {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insertEvent = db.prepare(
      `INSERT INTO events (id, repository, repository_url, provider, ref, type, before_sha,
         after_sha, transition_number, detected_at) VALUES (?, ?, ?, 'github', ?, ?, ?, ?, ?, ?)`,
    );
    const insertDelivery = db.prepare(
      `INSERT INTO deliveries (event_id, repository, ref, target_url, format, status, attempts,
         round_base_attempts, next_attempt_at, last_status_code, last_error, body, headers,
         created_at, queued_at, updated_at, delivered_at)
       VALUES (?, ?, ?, ?, 'github', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertAttempt = db.prepare(
      `INSERT INTO delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms,
         error) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const write = db.transaction((rows: readonly HistoryRow[]) => {
      for (const row of rows) {
        insertEvent.run(
          row.id,
          row.repository,
          row.url,
          row.ref,
          row.type,
          row.before,
          row.after,
          row.transition,
          row.detectedAt,
        );
        const deliveryId = insertDelivery.run(
          row.id,
          row.repository,
          row.ref,
          targetUrl,
          row.status,
          row.attempts,
          row.detectedAt,
          row.statusCode,
          row.error,
          row.body,
          row.headers,
          row.detectedAt,
          row.detectedAt,
          row.updatedAt,
          row.deliveredAt,
        ).lastInsertRowid;
        for (let attempt = 1; attempt <= row.attempts; attempt += 1) {
          insertAttempt.run(
            deliveryId,
            attempt,
            row.detectedAt + attempt,
            row.statusCode,
            5,
            row.status === 'failed' ? `HTTP ${row.statusCode}` : null,
          );
        }
      }
    });
    for (const rows of batches) write(rows);
    db.exec(`INSERT INTO ref_transitions (repository, ref, last_number)
      SELECT repository, ref, max(transition_number) FROM events GROUP BY repository, ref`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    return Number(db.prepare('SELECT max(seq) FROM events').pluck().get() ?? 0);
  } finally {
    db.close();
  }
}
