import type { ChangeEvent } from '../events/change-event.js';
import { decodeEventCursor } from './event-cursor.js';
import {
  checkEventPageLimit,
  emptyDeliveryCounts,
  toEventPage,
  type EventPage,
  type EventQuery,
} from './event-query.js';
import { eventColumns, eventFromRow, type EventRow, type StoredEvent } from './event-row.js';
import { SqlStore } from './sql-store.js';
import type { DeliveryStatus } from './storage-types.js';

export {
  MAX_EVENT_PAGE_SIZE,
  type EventListItem,
  type EventPage,
  type EventQuery,
} from './event-query.js';

/** A status filter starts from the deliveries in that status when fewer than this many are. */
export const RARE_STATUS_LIMIT = 5_000;

/** The `status` conditions of `EventStore.list` (see `statusClause`); `e` is the events table. */
export const STATUS_FILTER = {
  rare: 'e.id IN (SELECT d.event_id FROM deliveries d WHERE d.status = @status)',
  common: 'EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND +d.status = @status)',
} as const;

/** The events table: one row per distinct transition, keyed by its deterministic id. */
export class EventStore extends SqlStore {
  /** Inserts the event unless its id is recorded; returns whether it was new. */
  insertIfNew(event: ChangeEvent): boolean {
    return this.guard(
      () =>
        this.prepare(
          `INSERT INTO events (id, repository, repository_url, provider, ref, type, before_sha,
               after_sha, transition_number, detected_at, pull_request)
             VALUES (@id, @repository, @url, @provider, @ref, @type, @before, @after,
               @transition, @at, @pullRequest)
             ON CONFLICT (id) DO NOTHING`,
        ).run({
          id: event.id,
          repository: event.repository.name,
          url: event.repository.url,
          provider: event.repository.provider,
          ref: event.ref,
          type: event.type,
          before: event.before,
          after: event.after,
          transition: event.transition,
          at: event.detectedAt.getTime(),
          pullRequest: event.pullRequest ? JSON.stringify(event.pullRequest) : null,
        }).changes === 1,
    );
  }

  get(id: string): StoredEvent | undefined {
    const row = this.guard(() =>
      this.prepare<[string], EventRow>(
        `SELECT ${eventColumns('e')} FROM events e WHERE e.id = ?`,
      ).get(id),
    );
    return row && eventFromRow(row);
  }

  /** Newest first, filtered, one page at a time; a malformed cursor or limit is `bad-request`. */
  list(query: EventQuery): EventPage {
    checkEventPageLimit(query.limit);
    const params: Record<string, string | number> = { limit: query.limit + 1 };
    const where: string[] = [];
    const add = (name: string, clause: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(clause);
      params[name] = value;
    };
    add(
      'cursor',
      'e.seq < @cursor',
      query.cursor === undefined ? undefined : decodeEventCursor(query.cursor),
    );
    add('repository', 'e.repository = @repository', query.repository);
    add('ref', 'e.ref = @ref', query.ref);
    add('type', 'e.type = @type', query.type);
    add('since', 'e.detected_at >= @since', query.since);
    if (query.status !== undefined) add('status', this.statusClause(query.status), query.status);
    const rows = this.guard(() =>
      this.prepare<[Record<string, string | number>], EventRow>(
        `SELECT ${eventColumns('e')} FROM events e
           ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY e.seq DESC LIMIT @limit`,
      ).all(params),
    );
    const counts = this.deliveryCounts(rows.slice(0, query.limit).map((row) => row.id));
    return toEventPage(rows, query.limit, counts);
  }

  /** Events recorded after `seq`, oldest first (SSE resume from Last-Event-ID). */
  listAfter(seq: number, limit: number): StoredEvent[] {
    return this.guard(() =>
      this.prepare<[number, number], EventRow>(
        `SELECT ${eventColumns('e')} FROM events e WHERE e.seq > ? ORDER BY e.seq LIMIT ?`,
      )
        .all(seq, limit)
        .map(eventFromRow),
    );
  }

  /** The highest seq recorded so far (0 when none). */
  latestSeq(): number {
    return this.guard(
      () =>
        this.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events').get()?.seq ??
        0,
    );
  }

  count(): number {
    return this.guard(
      () => this.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n ?? 0,
    );
  }

  /**
   * The `status` filter. Listing newest first and checking each event's deliveries (by event id:
   * `+d.status` keeps SQLite from using the status index there, which made every probe scan all
   * deliveries in that status) finds a page at once when the status is common. When it is rare
   * (failed, or pending after an outage), that would read the whole events table, so the few
   * deliveries in that status name the events instead.
   */
  private statusClause(status: DeliveryStatus): string {
    const matching = this.guard(() =>
      this.prepare<[DeliveryStatus, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE status = ? LIMIT ?)',
      )
        .pluck()
        .get(status, RARE_STATUS_LIMIT),
    );
    return (matching ?? 0) < RARE_STATUS_LIMIT ? STATUS_FILTER.rare : STATUS_FILTER.common;
  }

  private deliveryCounts(eventIds: readonly string[]): Map<string, Record<DeliveryStatus, number>> {
    const result = new Map<string, Record<DeliveryStatus, number>>();
    if (eventIds.length === 0) return result;
    const rows = this.guard(() =>
      this.prepare<[string], { eventId: string; status: DeliveryStatus; n: number }>(
        `SELECT event_id AS eventId, status, count(*) AS n FROM deliveries
           WHERE event_id IN (SELECT value FROM json_each(?)) GROUP BY event_id, status`,
      ).all(JSON.stringify(eventIds)),
    );
    for (const row of rows) {
      const counts = result.get(row.eventId) ?? emptyDeliveryCounts();
      counts[row.status] = row.n;
      result.set(row.eventId, counts);
    }
    return result;
  }
}
