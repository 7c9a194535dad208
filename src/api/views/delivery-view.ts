import type { DeliveryChange as FeedDeliveryChange } from '../event-feed.js';
import type { DeliverySummary, DeliveryWithAttempts } from '../../storage/delivery-record.js';
import type { Delivery, DeliveryChange } from '../schemas/delivery-schemas.js';
import { urlWithoutCredentials } from './url-without-credentials.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** A delivery without its payload or headers (they can carry the shared secret). */
export function deliveryView(delivery: DeliverySummary | DeliveryWithAttempts): Delivery {
  const attempts = 'attemptLog' in delivery ? delivery.attemptLog : [];
  return {
    id: delivery.id,
    targetUrl: urlWithoutCredentials(delivery.targetUrl),
    format: delivery.format,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: iso(delivery.createdAt),
    deliveredAt: isoOrNull(delivery.deliveredAt),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      at: iso(a.startedAt),
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
    })),
  };
}

/** A delivery's change of state as a `delivery` message of the event stream shows it. */
export function deliveryChangeView(change: FeedDeliveryChange): DeliveryChange {
  return {
    deliveryId: change.deliveryId,
    eventId: change.eventId,
    repository: change.repository,
    targetUrl: urlWithoutCredentials(change.targetUrl),
    status: change.status,
    attempt: change.attempt ?? null,
    statusCode: change.statusCode ?? null,
    latencyMs: change.latencyMs ?? null,
    error: change.error ?? null,
    at: change.at.toISOString(),
  };
}
