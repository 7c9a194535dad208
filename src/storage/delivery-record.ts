import type { ResolvedPayloadFormat } from '../config/config-types.js';
import type { StoredEvent } from './event-row.js';
import { selectList } from './select-list.js';
import type { DeliveryStatus, EpochMs } from './storage-types.js';

/** The exact request of a delivery, built once at its first send and replayed byte for byte. */
export interface StoredPayload {
  readonly body: string;
  /** May hold the signature or X-Gitlab-Token: never show it outside the delivery worker. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A delivery as the API may show it (no payload: headers can carry the shared secret). */
export interface DeliverySummary {
  readonly id: number;
  readonly eventId: string;
  readonly repository: string;
  /** Full ref name; with repository and targetUrl the lane that is delivered in order. */
  readonly ref: string;
  readonly targetUrl: string;
  readonly format: ResolvedPayloadFormat;
  readonly status: DeliveryStatus;
  /** Attempts ever made (numbering of X-RepoSentry-Delivery-Attempt continues after redeliver). */
  readonly attempts: number;
  /** Attempts since creation or the last redeliver: compare this with tekton.retry_attempts. */
  readonly roundAttempts: number;
  readonly nextAttemptAt: EpochMs;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: EpochMs;
  /** When it last entered the queue: creation or redeliver. */
  readonly queuedAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly deliveredAt: EpochMs | null;
}

/** A delivery as the worker needs it. */
export interface DeliveryRecord extends DeliverySummary {
  /** Null until the first send stored it (`DeliveryStore.savePayload`). */
  readonly payload: StoredPayload | null;
}

/** One send of an in_flight delivery, as the worker reports it (`DeliveryQueue.recordAttempt`). */
export interface AttemptInput {
  /** 1-based; the worker sends `delivery.attempts + 1`. */
  readonly attempt: number;
  readonly startedAt: EpochMs;
  readonly statusCode?: number | undefined;
  readonly latencyMs: number;
  readonly error?: string | undefined;
}

export interface DeliveryAttemptRecord {
  readonly id: number;
  readonly deliveryId: number;
  readonly attempt: number;
  readonly startedAt: EpochMs;
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
}

export interface DeliveryWithAttempts extends DeliverySummary {
  /** Every attempt, oldest first. */
  readonly attemptLog: readonly DeliveryAttemptRecord[];
}

/** A delivery handed to the worker by `claimDue`, already `in_flight`. */
export interface ClaimedDelivery {
  readonly delivery: DeliveryRecord;
  readonly event: StoredEvent;
}

export interface DeliveryRow {
  id: number;
  eventId: string;
  repository: string;
  ref: string;
  targetUrl: string;
  format: ResolvedPayloadFormat;
  status: DeliveryStatus;
  attempts: number;
  roundBaseAttempts: number;
  nextAttemptAt: number;
  lastStatusCode: number | null;
  lastError: string | null;
  body: string | null;
  headers: string | null;
  createdAt: number;
  queuedAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

/** Select list for `DeliveryRow`; `alias` is the deliveries table's alias in the query. */
export function deliveryColumns(alias: string): string {
  return selectList(alias, [
    'id',
    'event_id AS eventId',
    'repository',
    'ref',
    'target_url AS targetUrl',
    'format',
    'status',
    'attempts',
    'round_base_attempts AS roundBaseAttempts',
    'next_attempt_at AS nextAttemptAt',
    'last_status_code AS lastStatusCode',
    'last_error AS lastError',
    'body',
    'headers',
    'created_at AS createdAt',
    'queued_at AS queuedAt',
    'updated_at AS updatedAt',
    'delivered_at AS deliveredAt',
  ]);
}

/** Select list for `DeliveryAttemptRecord`; `alias` is the delivery_attempts table's alias. */
export function attemptColumns(alias: string): string {
  return selectList(alias, [
    'id',
    'delivery_id AS deliveryId',
    'attempt',
    'started_at AS startedAt',
    'status_code AS statusCode',
    'latency_ms AS latencyMs',
    'error',
  ]);
}

export function parseHeaders(text: string): Record<string, string> {
  const parsed: unknown = JSON.parse(text);
  const headers: Record<string, string> = {};
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value === 'string') headers[name] = value;
    }
  }
  return headers;
}

export function summaryFromRow(row: DeliveryRow): DeliverySummary {
  const { roundBaseAttempts, body: _body, headers: _headers, ...rest } = row;
  return { ...rest, roundAttempts: row.attempts - roundBaseAttempts };
}

export function deliveryFromRow(row: DeliveryRow): DeliveryRecord {
  const payload =
    row.body === null ? null : { body: row.body, headers: parseHeaders(row.headers ?? '{}') };
  return { ...summaryFromRow(row), payload };
}
