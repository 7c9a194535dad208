import { shortRefName } from '../../events/change-event.js';
import type { DeliveryWithAttempts, DeliverySummary } from '../../storage/delivery-record.js';
import type { StoredEvent } from '../../storage/event-row.js';
import type { EventListItem } from '../../storage/event-store.js';
import { urlWithoutCredentials } from './url-without-credentials.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** An event as the API and the event stream show it. */
export function eventView(event: StoredEvent): Record<string, unknown> {
  return {
    id: event.id,
    seq: event.seq,
    repository: event.repository.name,
    repositoryUrl: urlWithoutCredentials(event.repository.url),
    provider: event.repository.provider,
    ref: event.ref,
    refName: shortRefName(event.ref),
    type: event.type,
    before: event.before,
    after: event.after,
    transition: event.transition,
    detectedAt: event.detectedAt.toISOString(),
  };
}

export function eventListItemView(event: EventListItem): Record<string, unknown> {
  return { ...eventView(event), deliveries: event.deliveryCounts };
}

/** A delivery without its payload or headers (they can carry the shared secret). */
export function deliveryView(
  delivery: DeliverySummary | DeliveryWithAttempts,
): Record<string, unknown> {
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
    deliveredAt: iso(delivery.deliveredAt),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      at: iso(a.startedAt),
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
    })),
  };
}
