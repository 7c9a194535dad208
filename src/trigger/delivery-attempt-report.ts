import type { PushDetails } from '../events/push-details.js';
import type { DeliveryStatus } from '../storage/storage-types.js';
import type { DeliveryOutcome } from './send-delivery.js';

/** One finished attempt, for metrics and the live event stream. */
export interface DeliveryAttemptReport {
  readonly deliveryId: number;
  readonly eventId: string;
  readonly repository: string;
  readonly targetUrl: string;
  readonly attempt: number;
  readonly status: Exclude<DeliveryStatus, 'in_flight'>;
  readonly outcome: DeliveryOutcome;
  /** Detection to this attempt's response. */
  readonly sinceDetectedMs: number;
  /** The Git host's details read for the payload (first attempt only, when asked for). */
  readonly details?: PushDetails;
}
