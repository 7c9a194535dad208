import type { ChangeEvent } from '../../events/change-event.js';
import { decodeEventCursor } from '../event-cursor.js';
import {
  checkEventPageLimit,
  emptyDeliveryCounts,
  toEventPage,
  type DeliveryCountsByEvent,
  type EventPage,
  type EventQuery,
} from '../event-query.js';
import { eventColumns, eventFromRow, type EventRow, type StoredEvent } from '../event-row.js';
import type { DeliveryStatus } from '../storage-types.js';
import type { PgDatabase, PgQueryable, SqlValue } from './pg-database.js';

const COLUMNS = eventColumns('e');

/** The events table: one row per distinct transition, keyed by its deterministic id. */
export class PgEventStore {
  constructor(private readonly db: PgDatabase) {}

  get(id: string): Promise<StoredEvent | undefined> {
    return eventById(this.db, id);
  }

  /** Newest first, filtered, one page at a time; a malformed cursor or limit is `bad-request`. */
  async list(query: EventQuery): Promise<EventPage> {
    checkEventPageLimit(query.limit);
    const params: SqlValue[] = [];
    const where: string[] = [];
    const add = (clause: (p: string) => string, value: string | number | undefined): void => {
      if (value === undefined) return;
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    add(
      (p) => `e.seq < ${p}`,
      query.cursor === undefined ? undefined : decodeEventCursor(query.cursor),
    );
    add((p) => `e.repository = ${p}`, query.repository);
    add((p) => `e.ref = ${p}`, query.ref);
    add((p) => `e.type = ${p}`, query.type);
    add((p) => `e.detected_at >= ${p}`, query.since);
    add(
      (p) => `EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = ${p})`,
      query.status,
    );
    params.push(query.limit + 1);
    const rows = await this.db.rows<EventRow>(
      `SELECT ${COLUMNS} FROM events e
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY e.seq DESC LIMIT $${params.length}`,
      params,
    );
    const counts = await this.deliveryCounts(rows.slice(0, query.limit).map((row) => row.id));
    return toEventPage(rows, query.limit, counts);
  }

  /** Events recorded after `seq`, oldest first (SSE resume from Last-Event-ID). */
  async listAfter(seq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.rows<EventRow>(
      `SELECT ${COLUMNS} FROM events e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
      [seq, limit],
    );
    return rows.map(eventFromRow);
  }

  /** The highest seq recorded so far (0 when none). */
  async latestSeq(): Promise<number> {
    const row = await this.db.first<{ seq: number | null }>('SELECT max(seq) AS seq FROM events');
    return row?.seq ?? 0;
  }

  async count(): Promise<number> {
    const row = await this.db.first<{ n: number }>('SELECT count(*) AS n FROM events');
    return row?.n ?? 0;
  }

  private async deliveryCounts(eventIds: readonly string[]): Promise<DeliveryCountsByEvent> {
    const result = new Map<string, Record<DeliveryStatus, number>>();
    if (eventIds.length === 0) return result;
    const rows = await this.db.rows<{ eventId: string; status: DeliveryStatus; n: number }>(
      `SELECT event_id AS "eventId", status, count(*) AS n FROM deliveries
         WHERE event_id = ANY($1::text[]) GROUP BY event_id, status`,
      [eventIds],
    );
    for (const row of rows) {
      const counts = result.get(row.eventId) ?? emptyDeliveryCounts();
      counts[row.status] = row.n;
      result.set(row.eventId, counts);
    }
    return result;
  }
}

/** One event by id, read through `q`. */
export async function eventById(q: PgQueryable, id: string): Promise<StoredEvent | undefined> {
  const row = await q.first<EventRow>(`SELECT ${COLUMNS} FROM events e WHERE e.id = $1`, [id]);
  return row && eventFromRow(row);
}

/** Whether an event with this id is recorded, read through `q`. */
export async function eventExists(q: PgQueryable, id: string): Promise<boolean> {
  return (await q.first('SELECT 1 FROM events WHERE id = $1', [id])) !== undefined;
}

/** Inserts the event unless its id is recorded (inside `recordPoll`); whether it was new. */
export async function insertEventIfNew(tx: PgQueryable, event: ChangeEvent): Promise<boolean> {
  const inserted = await tx.run(
    `INSERT INTO events (id, repository, repository_url, provider, ref, type, before_sha,
         after_sha, transition_number, detected_at, pull_request)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO NOTHING`,
    [
      event.id,
      event.repository.name,
      event.repository.url,
      event.repository.provider,
      event.ref,
      event.type,
      event.before,
      event.after,
      event.transition,
      event.detectedAt.getTime(),
      event.pullRequest ? JSON.stringify(event.pullRequest) : null,
    ],
  );
  return inserted === 1;
}
