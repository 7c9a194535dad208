import { ReposentryError } from '../errors/reposentry-error.js';
import type { EventType } from '../events/change-event.js';
import { encodeEventCursor } from './event-cursor.js';
import { eventFromRow, type EventRow, type StoredEvent } from './event-row.js';
import type { DeliveryStatus, EpochMs } from './storage-types.js';

/** The largest page `EventReads.list` returns. */
export const MAX_EVENT_PAGE_SIZE = 1000;

export interface EventQuery {
  readonly repository?: string | undefined;
  /** Full ref name. */
  readonly ref?: string | undefined;
  readonly type?: EventType | undefined;
  /** Only events with at least one delivery in this status. */
  readonly status?: DeliveryStatus | undefined;
  /** Only events detected at or after this time. */
  readonly since?: EpochMs | undefined;
  /** 1..MAX_EVENT_PAGE_SIZE. */
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
}

export interface EventListItem extends StoredEvent {
  /** How many of the event's deliveries are in each status. */
  readonly deliveryCounts: Readonly<Record<DeliveryStatus, number>>;
}

export interface EventPage {
  /** Newest first. */
  readonly events: readonly EventListItem[];
  /** Present when older events match: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

/** Per event id, how many of its deliveries are in each status (events without any absent). */
export type DeliveryCountsByEvent = ReadonlyMap<string, Readonly<Record<DeliveryStatus, number>>>;

export function emptyDeliveryCounts(): Record<DeliveryStatus, number> {
  return { pending: 0, in_flight: 0, delivered: 0, failed: 0 };
}

/** `bad-request` unless `limit` is an integer from 1 to MAX_EVENT_PAGE_SIZE. */
export function checkEventPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENT_PAGE_SIZE) {
    throw new ReposentryError(
      'bad-request',
      `limit must be an integer from 1 to ${MAX_EVENT_PAGE_SIZE}`,
    );
  }
}

/**
 * The page of `EventReads.list` from the rows read newest first, up to `limit + 1` of them (one
 * more than `limit` means older events match): the first `limit` with their delivery counts, and
 * a cursor after the last of them when there are more.
 */
export function toEventPage(
  rows: readonly EventRow[],
  limit: number,
  counts: DeliveryCountsByEvent,
): EventPage {
  const page = rows.slice(0, limit);
  const events = page.map((row) => ({
    ...eventFromRow(row),
    deliveryCounts: counts.get(row.id) ?? emptyDeliveryCounts(),
  }));
  const last = page.at(-1);
  return rows.length > limit && last
    ? { events, nextCursor: encodeEventCursor(last.seq) }
    : { events };
}
