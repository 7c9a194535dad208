import type { Config } from '../config/config-types.js';
import { RequestOpener } from '../http/open-request.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component } from '../runtime/component.js';
import type { Storage } from '../storage/storage.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-attempt-report.js';
import type { ReadPushDetails } from '../trigger/deliver-once.js';
import { DeliveryWorker } from '../trigger/delivery-worker.js';
import { VERSION } from '../version.js';
import { releaseAfterStop } from './release-after-stop.js';

export interface DeliveryOptions {
  readonly config: Config;
  readonly storage: Pick<Storage, 'deliveries'>;
  /** The delivery worker's logger. */
  readonly log: Logger;
  readonly onAttempt?: (report: DeliveryAttemptReport) => void;
  /** Reads the Git host's details of a change for its first payload (readPushDetailsThrough). */
  readonly details?: ReadPushDetails;
}

export interface Delivery {
  /** To wake when deliveries are queued. */
  readonly worker: DeliveryWorker;
  /** The worker as it is started and stopped: once it has stopped, its connections are closed. */
  readonly component: Component;
}

/**
 * How deliveries are wired, for the daemon and `poll --once --trigger`: a delivery worker on its
 * own pool of kept-alive connections, closed after the worker stops.
 */
export function buildDelivery(options: DeliveryOptions): Delivery {
  const opener = new RequestOpener();
  const worker = new DeliveryWorker({ ...options, version: VERSION, opener });
  return { worker, component: releaseAfterStop(worker, () => opener.close()) };
}
