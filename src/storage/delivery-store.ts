import type { ChangeEvent } from '../events/change-event.js';
import {
  attemptColumns,
  deliveryColumns,
  deliveryFromRow,
  summaryFromRow,
  type AttemptInput,
  type ClaimedDelivery,
  type DeliveryAttemptRecord,
  type DeliveryRecord,
  type DeliveryRow,
  type DeliverySummary,
  type DeliveryWithAttempts,
  type StoredPayload,
} from './delivery-record.js';
import { eventColumns, eventFromRow, type EventRow } from './event-row.js';
import { SqlStore } from './sql-store.js';
import {
  deliveryEventMissingError,
  deliveryNotFoundError,
  deliveryNotInFlightError,
  deliveryOpenError,
  eventNotFoundError,
} from './storage-errors.js';
import type { DeliveryStatus, DeliveryTarget, EpochMs } from './storage-types.js';

export type { AttemptInput } from './delivery-record.js';

/** A pending delivery is claimable only when no older one of its lane is still open. */
const LANE_IS_FREE = `NOT EXISTS (SELECT 1 FROM deliveries o
  WHERE o.repository = d.repository AND o.ref = d.ref AND o.target_url = d.target_url
    AND o.status IN ('pending', 'in_flight') AND o.id < d.id)`;

/**
 * Up to `?` claimable delivery ids, oldest first, due at `?`. Walks the pending deliveries in id
 * order (migration 2) and stops at the limit, so a claim costs the same with 10 or 10,000 pending.
 */
export const CLAIMABLE_IDS = `SELECT d.id FROM deliveries d INDEXED BY deliveries_pending_by_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND ${LANE_IS_FREE}
  ORDER BY d.id LIMIT ?`;

/**
 * When the next claimable delivery falls due: the first lane-free pending delivery in due order,
 * which is the minimum, found without reading every pending delivery.
 */
export const NEXT_DUE_AT = `SELECT d.next_attempt_at FROM deliveries d INDEXED BY deliveries_due
  WHERE d.status = 'pending' AND ${LANE_IS_FREE}
  ORDER BY d.next_attempt_at LIMIT 1`;

type Params = Record<string, string | number | null>;

/**
 * The deliveries and delivery_attempts tables: the outbox queue. A delivery moves
 * pending -> in_flight (claimDue) -> delivered | pending (scheduleRetry) | failed, and back to
 * pending by requeueInFlight (after a crash) or redeliver.
 */
export class DeliveryStore extends SqlStore {
  /** One pending delivery per target, due at `at`; a target already recorded is skipped. */
  createForEvent(event: ChangeEvent, targets: readonly DeliveryTarget[], at: EpochMs): number {
    return this.guard(() => {
      const insert = this.prepare<[Params]>(
        `INSERT INTO deliveries (event_id, repository, ref, target_url, format, status,
           next_attempt_at, created_at, queued_at, updated_at)
         VALUES (@eventId, @repository, @ref, @url, @format, 'pending', @at, @at, @at, @at)
         ON CONFLICT (event_id, target_url) DO NOTHING`,
      );
      let created = 0;
      for (const target of targets) {
        created += insert.run({
          eventId: event.id,
          repository: event.repository.name,
          ref: event.ref,
          url: target.url,
          format: target.format,
          at,
        }).changes;
      }
      return created;
    });
  }

  get(id: number): DeliveryRecord | undefined {
    const row = this.guard(() =>
      this.prepare<[number], DeliveryRow>(
        `SELECT ${deliveryColumns('d')} FROM deliveries d WHERE d.id = ?`,
      ).get(id),
    );
    return row && deliveryFromRow(row);
  }

  /**
   * Marks up to `limit` due deliveries in_flight and returns them with their events, oldest
   * first. Within one (repository, ref, target) lane only the oldest open delivery is ever due,
   * so deliveries for one ref go out in order and a retrying one holds back the newer.
   */
  claimDue(now: EpochMs, limit: number): ClaimedDelivery[] {
    return this.atomically(() => {
      const ids = this.prepare<[number, number], number>(CLAIMABLE_IDS).pluck().all(now, limit);
      if (ids.length === 0) return [];
      const list = JSON.stringify(ids);
      this.prepare(
        `UPDATE deliveries SET status = 'in_flight', updated_at = ?
           WHERE id IN (SELECT value FROM json_each(?))`,
      ).run(now, list);
      const rows = this.prepare<[string], DeliveryRow>(
        `SELECT ${deliveryColumns('d')} FROM deliveries d
           WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.id`,
      ).all(list);
      return rows.map((row) => ({
        delivery: deliveryFromRow(row),
        event: this.eventOf(row.eventId),
      }));
    });
  }

  /**
   * Stores the request built for the first send and returns the stored one: when a payload is
   * already stored (an earlier attempt), that one wins, so every attempt sends the same bytes.
   */
  savePayload(id: number, body: string, headers: Readonly<Record<string, string>>): StoredPayload {
    return this.atomically(() => {
      this.prepare('UPDATE deliveries SET body = ?, headers = ? WHERE id = ? AND body IS NULL').run(
        body,
        JSON.stringify(headers),
        id,
      );
      const stored = this.get(id)?.payload;
      if (!stored) throw deliveryNotFoundError(id);
      return stored;
    });
  }

  /** Logs one attempt of an in_flight delivery and makes it the delivery's last outcome. */
  recordAttempt(id: number, attempt: AttemptInput): void {
    this.atomically(() => {
      this.transition(
        id,
        `attempts = max(attempts, @attempt), last_status_code = @statusCode,
         last_error = @error, updated_at = @now`,
        {
          attempt: attempt.attempt,
          statusCode: attempt.statusCode ?? null,
          error: attempt.error ?? null,
        },
      );
      this.prepare<[Params]>(
        `INSERT INTO delivery_attempts (delivery_id, attempt, started_at, status_code,
             latency_ms, error)
           VALUES (@id, @attempt, @startedAt, @statusCode, @latencyMs, @error)`,
      ).run({
        id,
        attempt: attempt.attempt,
        startedAt: attempt.startedAt,
        statusCode: attempt.statusCode ?? null,
        latencyMs: Math.max(0, Math.round(attempt.latencyMs)),
        error: attempt.error ?? null,
      });
    });
  }

  markDelivered(id: number, at: EpochMs): void {
    this.guard(() =>
      this.transition(
        id,
        `status = 'delivered', delivered_at = @at, last_error = NULL, updated_at = @now`,
        { at },
      ),
    );
  }

  /** Back to pending, due at `nextAttemptAt`. */
  scheduleRetry(id: number, nextAttemptAt: EpochMs, error: string, statusCode?: number): void {
    this.guard(() =>
      this.transition(
        id,
        `status = 'pending', next_attempt_at = @next, last_error = @error,
         last_status_code = @statusCode, updated_at = @now`,
        { next: nextAttemptAt, error, statusCode: statusCode ?? null },
      ),
    );
  }

  /** Gives up; the delivery stays for `redeliver`. */
  markFailed(id: number, error: string, statusCode?: number): void {
    this.guard(() =>
      this.transition(
        id,
        `status = 'failed', last_error = @error, last_status_code = @statusCode, updated_at = @now`,
        { error, statusCode: statusCode ?? null },
      ),
    );
  }

  /** At start-up: deliveries left in_flight by a crash become pending again. Returns how many. */
  requeueInFlight(): number {
    return this.guard(
      () =>
        this.prepare(
          `UPDATE deliveries SET status = 'pending', updated_at = ? WHERE status = 'in_flight'`,
        ).run(this.now()).changes,
    );
  }

  /**
   * Queues every delivery of an event again, due at once, keeping the attempt count and the
   * stored payload. `not-found` for an unknown event, `conflict` while one is pending/in_flight.
   */
  redeliver(eventId: string, at: EpochMs = this.now()): DeliverySummary[] {
    return this.atomically(() => {
      const exists = this.prepare('SELECT 1 FROM events WHERE id = ?').pluck().get(eventId);
      if (exists === undefined) throw eventNotFoundError(eventId);
      const open = this.prepare(
        `SELECT count(*) FROM deliveries WHERE event_id = ? AND status IN ('pending', 'in_flight')`,
      )
        .pluck()
        .get(eventId);
      if (open !== 0) throw deliveryOpenError(eventId);
      this.prepare(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = @at, queued_at = @at,
             round_base_attempts = attempts, delivered_at = NULL, updated_at = @at
           WHERE event_id = @eventId`,
      ).run({ at, eventId });
      return this.rowsForEvent(eventId).map(summaryFromRow);
    });
  }

  countByStatus(): Record<DeliveryStatus, number> {
    const counts: Record<DeliveryStatus, number> = {
      pending: 0,
      in_flight: 0,
      delivered: 0,
      failed: 0,
    };
    const rows = this.guard(() =>
      this.prepare<[], { status: DeliveryStatus; n: number }>(
        'SELECT status, count(*) AS n FROM deliveries GROUP BY status',
      ).all(),
    );
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** How long the longest-waiting pending or in_flight delivery has been queued; undefined when none. */
  oldestPendingAge(now: EpochMs): number | undefined {
    const oldest = this.guard(() =>
      this.prepare<[], number | null>(
        `SELECT min(queued_at) FROM deliveries WHERE status IN ('pending', 'in_flight')`,
      )
        .pluck()
        .get(),
    );
    return oldest === null || oldest === undefined ? undefined : Math.max(0, now - oldest);
  }

  /** When the next claimable delivery falls due (may be in the past); undefined when none. */
  nextDueAt(): EpochMs | undefined {
    const next = this.guard(() => this.prepare<[], number>(NEXT_DUE_AT).pluck().get());
    return next ?? undefined;
  }

  /** An event's deliveries (oldest first), each with every attempt. */
  listForEvent(eventId: string): DeliveryWithAttempts[] {
    return this.guard(() => {
      const attempts = this.prepare<[number], DeliveryAttemptRecord>(
        `SELECT ${attemptColumns('a')} FROM delivery_attempts a
           WHERE a.delivery_id = ? ORDER BY a.attempt, a.id`,
      );
      return this.rowsForEvent(eventId).map((row) => ({
        ...summaryFromRow(row),
        attemptLog: attempts.all(row.id),
      }));
    });
  }

  private rowsForEvent(eventId: string): DeliveryRow[] {
    return this.prepare<[string], DeliveryRow>(
      `SELECT ${deliveryColumns('d')} FROM deliveries d WHERE d.event_id = ? ORDER BY d.id`,
    ).all(eventId);
  }

  private eventOf(eventId: string): ClaimedDelivery['event'] {
    const row = this.prepare<[string], EventRow>(
      `SELECT ${eventColumns('e')} FROM events e WHERE e.id = ?`,
    ).get(eventId);
    if (!row) throw deliveryEventMissingError(eventId);
    return eventFromRow(row);
  }

  /** Applies `set` to an in_flight delivery; `not-found` / `conflict` otherwise. */
  private transition(id: number, set: string, params: Params): void {
    const changes = this.prepare<[Params]>(
      `UPDATE deliveries SET ${set} WHERE id = @id AND status = 'in_flight'`,
    ).run({ ...params, id, now: this.now() }).changes;
    if (changes > 0) return;
    const status = this.prepare<[number], DeliveryStatus>(
      'SELECT status FROM deliveries WHERE id = ?',
    )
      .pluck()
      .get(id);
    if (status === undefined) throw deliveryNotFoundError(id);
    throw deliveryNotInFlightError(id, status);
  }
}
