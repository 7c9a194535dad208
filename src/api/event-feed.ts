import type { DeliveryStatus } from '../storage/storage-types.js';

/** A delivery changed state: an attempt finished, or a redelivery queued it again. */
export interface DeliveryChange {
  readonly deliveryId: number;
  readonly eventId: string;
  readonly repository: string;
  readonly targetUrl: string;
  readonly status: DeliveryStatus;
  /** The attempt that finished (absent when the change is a redelivery). */
  readonly attempt?: number;
  readonly statusCode?: number;
  readonly latencyMs?: number;
  readonly error?: string;
  readonly at: Date;
}

/** What the live event stream is told: new events are read from storage, deliveries are pushed. */
export type FeedMessage =
  | { readonly kind: 'events-recorded' }
  | { readonly kind: 'delivery'; readonly change: DeliveryChange };

export type FeedListener = (message: FeedMessage) => void;

/**
 * In-process notifications from the poller and the delivery worker to live readers (the SSE
 * route). It carries no data that is not also in storage, so a slow or failing listener can
 * never lose anything: it is simply skipped.
 */
export class EventFeed {
  private readonly listeners = new Set<FeedListener>();

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(message: FeedMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // A listener's failure is its own (a closed connection); the others still get the message.
      }
    }
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
