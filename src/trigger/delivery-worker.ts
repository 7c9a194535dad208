import type { Config } from '../config/config-types.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { RequestOpener } from '../http/open-request.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import type { Reconfigurable } from '../runtime/component.js';
import type { ClaimedDelivery } from '../storage/delivery-record.js';
import type { Storage } from '../storage/storage.js';
import { deliverOnce, type ReadPushDetails } from './deliver-once.js';
import type { DeliveryAttemptReport } from './delivery-attempt-report.js';

export interface DeliveryWorkerOptions {
  readonly config: Config;
  readonly storage: Pick<Storage, 'deliveries'>;
  readonly log: Logger;
  readonly version: string;
  /** The connections deliveries go out on; whoever created it closes it after `stop`. */
  readonly opener: RequestOpener;
  /** Deliveries in flight at once, all targets together. */
  readonly concurrency?: number;
  /** Deliveries in flight at once to one EventListener URL. */
  readonly perTargetConcurrency?: number;
  /** Reads the Git host's details of a change for its first payload (see deliverOnce). */
  readonly details?: ReadPushDetails;
  /** Longest sleep between looks at the queue when nothing wakes the worker. */
  readonly idleCheckMs?: number;
  readonly onAttempt?: (report: DeliveryAttemptReport) => void;
  readonly random?: () => number;
}

/**
 * Drains the outbox: claims due deliveries (oldest first, one per ref lane at a time, at most
 * `concurrency` in flight and `perTargetConcurrency` per EventListener) and gives each one attempt
 * (deliverOnce: build, sign, send, record, then delivered / retry later / failed as decideRetry
 * says). Woken at once by `wake()`, else by its own timer. A delivery whose outcome cannot be
 * written is queued again when the database answers; `stop` waits for the attempts in flight
 * (aborting them at the deadline) and queues again what was claimed but not started.
 */
export class DeliveryWorker implements Component, Reconfigurable<Config> {
  readonly name = 'trigger';
  private config: Config;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly active = new Map<number, Promise<void>>();
  private readonly perTarget = new Map<string, number>();
  private readonly backlog: ClaimedDelivery[] = [];
  /** In flight in the database, but their outcome could not be written: queue them again. */
  private readonly unsettled = new Set<number>();
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private lastError: { code: string; message: string } | undefined;
  private delivered = 0;
  private failed = 0;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.config = options.config;
  }

  async start(): Promise<void> {
    const requeued = await this.options.storage.deliveries.requeueInFlight();
    if (requeued > 0)
      this.options.log.warn('Deliveries interrupted by a previous stop are queued again', {
        count: requeued,
      });
    if (this.config.tekton.secret === undefined) {
      this.options.log.warn(
        'tekton.secret is not set: deliveries are sent without a signature or token',
      );
    }
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(signal: AbortSignal): Promise<void> {
    this.running = false;
    this.wake();
    const abort = (): void => this.abort.abort();
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    await this.loopDone;
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
    // Claimed but never started: back to the queue for the next start.
    for (const claimed of this.backlog.splice(0)) {
      await this.options.storage.deliveries.scheduleRetry(
        claimed.delivery.id,
        Date.now(),
        'not sent: shutting down',
      );
    }
  }

  applyConfig(config: Config): void {
    this.config = config;
  }

  /** Looks at the queue now (new events were recorded, or a redelivery was requested). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  health(): ComponentHealth {
    const details = { inFlight: this.active.size, delivered: this.delivered, failed: this.failed };
    if (!this.running) return { status: 'stopped', details };
    if (this.lastError) {
      return {
        status: 'degraded',
        message: `last delivery error: ${this.lastError.code}`,
        details: { ...details, lastError: this.lastError },
      };
    }
    return { status: 'healthy', details };
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 16;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      await this.requeueUnsettled();
      let claimed: ClaimedDelivery[] = [];
      const free = this.concurrency - this.active.size - this.backlog.length;
      try {
        if (free > 0) claimed = await this.options.storage.deliveries.claimDue(Date.now(), free);
      } catch (err) {
        this.options.log.error('Could not read the delivery queue', {
          code: errorCodeOf(err),
          error: errorMessageOf(err),
        });
      }
      this.backlog.push(...claimed);
      this.launchBacklog();
      if (claimed.length > 0 && claimed.length === free) continue;
      if (this.woken) continue;
      const ms = await this.sleepMs(this.active.size + this.backlog.length < this.concurrency);
      // A wake() while the next due time was read must not be slept through.
      if (this.woken) continue;
      await this.sleep(ms);
    }
  }

  private async requeueUnsettled(): Promise<void> {
    for (const id of this.unsettled) {
      try {
        await this.options.storage.deliveries.scheduleRetry(
          id,
          Date.now(),
          'queued again after a storage failure',
        );
        this.unsettled.delete(id);
      } catch (err) {
        // Lost to another replica (or gone): nothing of this worker's to settle any more.
        if (isClaimLost(err)) this.unsettled.delete(id);
        else return;
      }
    }
  }

  /**
   * How long to wait for the next due delivery. `nextDueAt` counts only deliveries whose ref lane
   * is free, so one that is already due is claimable: look again at once, unless every slot is
   * busy (a finishing delivery wakes the loop then).
   */
  private async sleepMs(hasFreeSlot: boolean): Promise<number> {
    const idle = this.unsettled.size > 0 ? 1_000 : (this.options.idleCheckMs ?? 30_000);
    let next: number | undefined;
    try {
      next = await this.options.storage.deliveries.nextDueAt();
    } catch {
      next = undefined;
    }
    if (next === undefined) return idle;
    const wait = next - Date.now();
    if (wait <= 0) return hasFreeSlot ? 0 : idle;
    return Math.min(wait, idle);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private launchBacklog(): void {
    // Once stopping, nothing new starts: what is left in the backlog is queued again by stop().
    if (!this.running) return;
    const limit = this.options.perTargetConcurrency ?? 8;
    for (let i = 0; i < this.backlog.length;) {
      const claimed = this.backlog[i];
      if (claimed === undefined) break;
      const target = claimed.delivery.targetUrl;
      const busy = this.perTarget.get(target) ?? 0;
      if (busy >= limit) {
        i += 1;
        continue;
      }
      this.backlog.splice(i, 1);
      this.perTarget.set(target, busy + 1);
      const run = this.deliver(claimed).finally(() => {
        this.active.delete(claimed.delivery.id);
        this.perTarget.set(target, (this.perTarget.get(target) ?? 1) - 1);
        this.launchBacklog();
        this.wake();
      });
      this.active.set(claimed.delivery.id, run);
    }
  }

  private async deliver(claimed: ClaimedDelivery): Promise<void> {
    const { delivery, event } = claimed;
    try {
      const report = await deliverOnce(claimed, {
        store: this.options.storage.deliveries,
        tekton: this.config.tekton,
        version: this.options.version,
        opener: this.options.opener,
        signal: this.abort.signal,
        random: this.options.random ?? Math.random,
        ...(this.options.details ? { details: this.options.details } : {}),
      });
      this.observe(report, event.ref);
    } catch (err) {
      if (isClaimLost(err)) {
        // Another replica holds it now (this one's lease ran out) or it is gone: its outcome is
        // the other's to record; nothing is left here to settle.
        this.options.log.warn(
          'Delivery taken over by another replica; its outcome here is dropped',
          {
            eventId: event.id,
            deliveryId: delivery.id,
            code: errorCodeOf(err),
            error: errorMessageOf(err),
          },
        );
        return;
      }
      // A storage or payload failure: leave the delivery to requeueInFlight / a later attempt.
      const fields = { eventId: event.id, code: errorCodeOf(err), error: errorMessageOf(err) };
      if (fields.code === 'shutting-down') {
        this.options.log.info('Delivery left for the next start', fields);
      } else {
        this.lastError = { code: fields.code, message: fields.error };
        this.options.log.error('Delivery could not be processed', fields);
      }
      try {
        await this.options.storage.deliveries.scheduleRetry(
          delivery.id,
          Date.now() + this.config.tekton.retryBackoffMs,
          errorMessageOf(err),
        );
      } catch (retryError) {
        // The database is unreachable: retried by the loop until it is back (or at start-up).
        // A claim lost meanwhile is the new holder's.
        if (!isClaimLost(retryError)) this.unsettled.add(delivery.id);
      }
    }
  }

  /** Counts, logs and reports one finished attempt. */
  private observe(report: DeliveryAttemptReport, ref: string): void {
    const { outcome, status } = report;
    for (const missing of report.details?.missing ?? []) {
      this.options.log.warn('Payload sent without details the Git host did not give', {
        eventId: report.eventId,
        repo: report.repository,
        part: missing.part,
        code: missing.code,
        error: missing.message,
      });
    }
    const fields = {
      eventId: report.eventId,
      repo: report.repository,
      ref,
      target: report.targetUrl,
      attempt: report.attempt,
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
    };
    if (status === 'delivered') {
      this.delivered += 1;
      this.lastError = undefined;
      this.options.log.info('Delivered', fields);
    } else {
      this.lastError = { code: outcome.code, message: outcome.error ?? 'unknown' };
      if (status === 'failed') this.failed += 1;
      const message =
        status === 'failed' ? 'Delivery failed, giving up' : 'Delivery attempt failed, will retry';
      this.options.log.warn(message, { ...fields, code: outcome.code, error: outcome.error });
    }
    this.options.onAttempt?.(report);
  }
}

/**
 * The delivery is no longer this worker's: not in_flight under its claim (another replica took it
 * over after its lease ran out, or a redelivery reset it) or deleted.
 */
function isClaimLost(err: unknown): boolean {
  const code = errorCodeOf(err);
  return code === 'conflict' || code === 'not-found';
}
