import type { DeliverySummary } from '../storage/delivery-record.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-attempt-report.js';
import type { FeedMessage } from '../api/event-feed.js';

/**
 * The event feed's message for a delivery that changed state: an attempt finished (with its
 * number, latency, status code and error), or a redeliver queued it again.
 */
export function deliveryChangeMessage(
  source: DeliveryAttemptReport | DeliverySummary,
  at: Date = new Date(),
): FeedMessage {
  if (!('outcome' in source)) {
    return {
      kind: 'delivery',
      change: {
        deliveryId: source.id,
        eventId: source.eventId,
        repository: source.repository,
        targetUrl: source.targetUrl,
        status: source.status,
        at,
      },
    };
  }
  const { outcome } = source;
  return {
    kind: 'delivery',
    change: {
      deliveryId: source.deliveryId,
      eventId: source.eventId,
      repository: source.repository,
      targetUrl: source.targetUrl,
      status: source.status,
      attempt: source.attempt,
      latencyMs: outcome.latencyMs,
      ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      at,
    },
  };
}
