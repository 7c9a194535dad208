import type { ChangeEvent } from '../../events/change-event.js';
import {
  attemptColumns,
  deliveryColumns,
  deliveryFromRow,
  summaryFromRow,
  type AttemptInput,
  type ClaimedDelivery,
  type DeliveryAttemptRecord,
  type DeliveryRow,
  type DeliverySummary,
  type DeliveryWithAttempts,
  type StoredPayload,
} from '../delivery-record.js';
import { eventColumns, eventFromRow, type EventRow } from '../event-row.js';
import {
  deliveryClaimedByOtherError,
  deliveryEventMissingError,
  deliveryNotFoundError,
  deliveryNotInFlightError,
  deliveryOpenError,
  eventNotFoundError,
} from '../storage-errors.js';
import type { DeliveryStatus, DeliveryTarget, EpochMs } from '../storage-types.js';
import { DB_NOW_MS } from './db-clock.js';
import type { PgDatabase, PgQueryable, SqlValue } from './pg-database.js';

/**
 * Who claims deliveries: a replica's id and how long its claim holds without a heartbeat
 * (ha.lease_ttl). The replica's heartbeats renew the leases of what it sends (`PgCluster`).
 */
export interface DeliveryClaimant {
  readonly id: string;
  readonly leaseTtlMs: number;
}

/** Select list of a delivery (`headers`, json, arrives as its text: see `pgClientConfig`). */
const COLUMNS = deliveryColumns('d');

/** A pending delivery is claimable only when no older one of its lane is still open. */
const LANE_IS_FREE = `NOT EXISTS (SELECT 1 FROM deliveries o
  WHERE o.repository = d.repository AND o.ref = d.ref AND o.target_url = d.target_url
    AND o.status IN ('pending', 'in_flight') AND o.id < d.id)`;

/**
 * The deliveries and delivery_attempts tables: the outbox queue, as the SQLite `DeliveryStore`
 * (pending -> in_flight -> delivered | pending | failed), safe with several replicas claiming:
 * a claim locks the rows it takes with FOR UPDATE SKIP LOCKED and marks them in_flight with the
 * claimant and a lease on the database's clock; a delivery whose lease ran out (its replica died
 * mid-send) is claimable again; every worker transition applies only to a delivery still
 * in_flight under this claimant, so a replica that lost a delivery to another cannot overwrite
 * the other's outcome.
 */
export class PgDeliveryStore {
  private readonly claimant: string | null;
  private readonly leaseTtlMs: number;

  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => EpochMs,
    claimant?: DeliveryClaimant,
  ) {
    this.claimant = claimant?.id ?? null;
    this.leaseTtlMs = claimant?.leaseTtlMs ?? 0;
  }

  /**
   * Marks up to `limit` due deliveries in_flight and returns them with their events, oldest
   * first; within one (repository, ref, target) lane only the oldest open delivery is ever due.
   * Rows another claim has locked are skipped, not waited for; the lane rule then holds back
   * the newer deliveries of their lanes (the locked one is still pending to this snapshot).
   */
  claimDue(now: EpochMs, limit: number): Promise<ClaimedDelivery[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows<DeliveryRow>(
        `WITH claimable AS (
           SELECT d.id FROM deliveries d
             WHERE ((d.status = 'pending' AND d.next_attempt_at <= $1)
                 OR (d.status = 'in_flight' AND d.lease_until <= ${DB_NOW_MS}))
               AND ${LANE_IS_FREE}
             ORDER BY d.id LIMIT $2
             FOR UPDATE SKIP LOCKED
         )
         UPDATE deliveries d SET status = 'in_flight', updated_at = $1, claimed_by = $3,
             lease_until = CASE WHEN $3::text IS NULL THEN NULL ELSE ${DB_NOW_MS} + $4 END
           FROM claimable c WHERE d.id = c.id
           RETURNING ${COLUMNS}`,
        [now, limit, this.claimant, this.leaseTtlMs],
      );
      if (rows.length === 0) return [];
      rows.sort((a, b) => a.id - b.id);
      const events = await tx.rows<EventRow>(
        `SELECT ${eventColumns('e')} FROM events e WHERE e.id = ANY($1::text[])`,
        [[...new Set(rows.map((row) => row.eventId))]],
      );
      const byId = new Map(events.map((row) => [row.id, eventFromRow(row)]));
      return rows.map((row) => {
        const event = byId.get(row.eventId);
        if (event === undefined) throw deliveryEventMissingError(row.eventId);
        return { delivery: deliveryFromRow(row), event };
      });
    });
  }

  /** Stores the payload of the first send; returns the stored one (an earlier one wins). */
  savePayload(
    id: number,
    body: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<StoredPayload> {
    return this.db.transaction(async (tx) => {
      await tx.run('UPDATE deliveries SET body = $1, headers = $2 WHERE id = $3 AND body IS NULL', [
        body,
        JSON.stringify(headers),
        id,
      ]);
      const row = await tx.first<DeliveryRow>(
        `SELECT ${COLUMNS} FROM deliveries d WHERE d.id = $1`,
        [id],
      );
      const stored = row && deliveryFromRow(row).payload;
      if (!stored) throw deliveryNotFoundError(id);
      return stored;
    });
  }

  /**
   * Logs one attempt of an in_flight delivery and makes it the delivery's last outcome, in one
   * statement (the attempt is logged only when the delivery was in_flight).
   */
  async recordAttempt(id: number, attempt: AttemptInput): Promise<void> {
    const logged = await this.db.run(
      `WITH updated AS (
         UPDATE deliveries SET attempts = GREATEST(attempts, $2), last_status_code = $3,
             last_error = $4, updated_at = $5
           WHERE id = $1 AND status = 'in_flight' AND claimed_by IS NOT DISTINCT FROM $8
           RETURNING id
       )
       INSERT INTO delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms,
           error)
         SELECT updated.id, $2::integer, $6::bigint, $3::integer, $7::bigint, $4::text
           FROM updated`,
      [
        id,
        attempt.attempt,
        attempt.statusCode ?? null,
        attempt.error ?? null,
        this.now(),
        attempt.startedAt,
        Math.max(0, Math.round(attempt.latencyMs)),
        this.claimant,
      ],
    );
    if (logged === 0) await this.refuseTransition(id);
  }

  async markDelivered(id: number, at: EpochMs): Promise<void> {
    await this.transition(
      id,
      `status = 'delivered', delivered_at = $3, last_error = NULL, updated_at = $4,
       claimed_by = NULL, lease_until = NULL`,
      [at, this.now()],
    );
  }

  /** Back to pending, due at `nextAttemptAt`. */
  async scheduleRetry(
    id: number,
    nextAttemptAt: EpochMs,
    error: string,
    statusCode?: number,
  ): Promise<void> {
    await this.transition(
      id,
      `status = 'pending', next_attempt_at = $3, last_error = $4, last_status_code = $5,
       updated_at = $6, claimed_by = NULL, lease_until = NULL`,
      [nextAttemptAt, error, statusCode ?? null, this.now()],
    );
  }

  /** Gives up; the delivery stays for `redeliver`. */
  async markFailed(id: number, error: string, statusCode?: number): Promise<void> {
    await this.transition(
      id,
      `status = 'failed', last_error = $3, last_status_code = $4, updated_at = $5,
       claimed_by = NULL, lease_until = NULL`,
      [error, statusCode ?? null, this.now()],
    );
  }

  /**
   * At start-up: deliveries this claimant left in_flight become pending again. Returns how many.
   * A replica's id is new per start, so for a replica that is none: what a crashed replica was
   * sending is claimed again by whoever finds its lease run out, never requeued wholesale (a
   * second replica starting would turn that into duplicates of what the first is sending).
   */
  requeueInFlight(): Promise<number> {
    return this.db.run(
      `UPDATE deliveries SET status = 'pending', updated_at = $1, claimed_by = NULL,
         lease_until = NULL
       WHERE status = 'in_flight' AND claimed_by IS NOT DISTINCT FROM $2`,
      [this.now(), this.claimant],
    );
  }

  /**
   * Queues every delivery of an event again, due at once, keeping the attempt count and the
   * stored payload. `not-found` for an unknown event, `conflict` while one is pending/in_flight.
   * The event row is locked first: two redelivers of one event run one after the other (the
   * second sees the first's pending deliveries), and retention cannot delete the event meanwhile.
   */
  redeliver(eventId: string, at: EpochMs = this.now()): Promise<DeliverySummary[]> {
    return this.db.transaction(async (tx) => {
      const event = await tx.first('SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE', [
        eventId,
      ]);
      if (event === undefined) throw eventNotFoundError(eventId);
      const open = await tx.first<{ n: number }>(
        `SELECT count(*) AS n FROM deliveries
           WHERE event_id = $1 AND status IN ('pending', 'in_flight')`,
        [eventId],
      );
      if ((open?.n ?? 0) !== 0) throw deliveryOpenError(eventId);
      await tx.run(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = $2, queued_at = $2,
             round_base_attempts = attempts, delivered_at = NULL, updated_at = $2,
             claimed_by = NULL, lease_until = NULL
           WHERE event_id = $1`,
        [eventId, at],
      );
      return (await rowsForEvent(tx, eventId)).map(summaryFromRow);
    });
  }

  async countByStatus(): Promise<Record<DeliveryStatus, number>> {
    const counts: Record<DeliveryStatus, number> = {
      pending: 0,
      in_flight: 0,
      delivered: 0,
      failed: 0,
    };
    const rows = await this.db.rows<{ status: DeliveryStatus; n: number }>(
      'SELECT status, count(*) AS n FROM deliveries GROUP BY status',
    );
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** How long the longest-waiting pending or in_flight delivery has been queued. */
  async oldestPendingAge(now: EpochMs): Promise<number | undefined> {
    const row = await this.db.first<{ oldest: number | null }>(
      `SELECT min(queued_at) AS oldest FROM deliveries WHERE status IN ('pending', 'in_flight')`,
    );
    const oldest = row?.oldest;
    return oldest === null || oldest === undefined ? undefined : Math.max(0, now - oldest);
  }

  /**
   * When the next claimable delivery falls due (may be in the past); undefined when none. That
   * is also when another replica's lease on a delivery it is sending runs out (it may die).
   */
  async nextDueAt(): Promise<EpochMs | undefined> {
    const row = await this.db.first<{ due: number | null }>(
      `SELECT least(
         (SELECT d.next_attempt_at FROM deliveries d
            WHERE d.status = 'pending' AND ${LANE_IS_FREE}
            ORDER BY d.next_attempt_at LIMIT 1),
         (SELECT min(d.lease_until) FROM deliveries d
            WHERE d.status = 'in_flight' AND d.claimed_by IS DISTINCT FROM $1)) AS due`,
      [this.claimant],
    );
    return row?.due ?? undefined;
  }

  /** An event's deliveries (oldest first), each with every attempt. */
  async listForEvent(eventId: string): Promise<DeliveryWithAttempts[]> {
    const rows = await rowsForEvent(this.db, eventId);
    if (rows.length === 0) return [];
    const attempts = await this.db.rows<DeliveryAttemptRecord>(
      `SELECT ${attemptColumns('a')} FROM delivery_attempts a
         WHERE a.delivery_id = ANY($1::bigint[]) ORDER BY a.attempt, a.id`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) => ({
      ...summaryFromRow(row),
      attemptLog: attempts.filter((attempt) => attempt.deliveryId === row.id),
    }));
  }

  /**
   * Applies `set` (its values from $3 on) to a delivery in_flight under this claimant;
   * `not-found` / `conflict`.
   */
  private async transition(id: number, set: string, values: readonly SqlValue[]): Promise<void> {
    const changed = await this.db.run(
      `UPDATE deliveries SET ${set}
         WHERE id = $1 AND status = 'in_flight' AND claimed_by IS NOT DISTINCT FROM $2`,
      [id, this.claimant, ...values],
    );
    if (changed === 0) await this.refuseTransition(id);
  }

  /** Why a delivery could not make a worker transition: it does not exist, or is not in_flight. */
  private async refuseTransition(id: number): Promise<never> {
    const row = await this.db.first<{ status: DeliveryStatus; holder: string | null }>(
      'SELECT status, claimed_by AS holder FROM deliveries WHERE id = $1',
      [id],
    );
    if (row === undefined) throw deliveryNotFoundError(id);
    if (row.status === 'in_flight') throw deliveryClaimedByOtherError(id, row.holder);
    throw deliveryNotInFlightError(id, row.status);
  }
}

/**
 * One pending delivery per target, due at `at` (inside `recordPoll`); a target already recorded
 * for the event is skipped. Ids follow the order of `targets`.
 */
export async function createDeliveries(
  tx: PgQueryable,
  event: ChangeEvent,
  targets: readonly DeliveryTarget[],
  at: EpochMs,
): Promise<number> {
  if (targets.length === 0) return 0;
  return tx.run(
    `INSERT INTO deliveries (event_id, repository, ref, target_url, format, status,
         next_attempt_at, created_at, queued_at, updated_at)
       SELECT $1, $2, $3, t.url, t.format, 'pending', $6::bigint, $6::bigint, $6::bigint,
           $6::bigint
         FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t(url, format, n) ORDER BY t.n
       ON CONFLICT (event_id, target_url) DO NOTHING`,
    [
      event.id,
      event.repository.name,
      event.ref,
      targets.map((target) => target.url),
      targets.map((target) => target.format),
      at,
    ],
  );
}

function rowsForEvent(q: PgQueryable, eventId: string): Promise<DeliveryRow[]> {
  return q.rows<DeliveryRow>(
    `SELECT ${COLUMNS} FROM deliveries d WHERE d.event_id = $1 ORDER BY d.id`,
    [eventId],
  );
}
