import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReloadOutcome } from '../config/config-watcher.js';
import { EVENT_TYPES } from '../events/change-event.js';
import type { RateLimitSnapshot } from '../gitclient/index.js';
import type { PollReport } from '../poller/poll-repository.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../storage/storage-types.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-worker.js';

/** Read at scrape time, never cached; a source that throws (database closing) is skipped. */
export interface MetricsSources {
  deliveryCounts(): Record<DeliveryStatus, number>;
  oldestPendingAgeMs(): number | undefined;
  rateLimits(): readonly RateLimitSnapshot[];
}

const PREFIX = 'reposentry_';
const POLL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus metrics of one daemon, in its own registry (tests run several daemons in one
 * process). Counters move from poll and delivery reports; queue and quota gauges are read from
 * storage and the git clients when scraped.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly polls: Counter<'provider' | 'outcome'>;
  private readonly pollErrors: Counter<'provider' | 'code'>;
  private readonly pollDuration: Histogram<'provider' | 'outcome'>;
  private readonly fallbacks: Counter<'provider' | 'reason'>;
  private readonly forgeRequests: Counter<'provider' | 'kind'>;
  private readonly changes: Counter<'type'>;
  private readonly attempts: Counter<'outcome'>;
  private readonly deliveries: Counter<'outcome'>;
  private readonly deliveryDuration: Histogram;
  private readonly detectionToDelivery: Histogram;
  private readonly reloads: Counter<'result'>;

  constructor(sources: MetricsSources, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.polls = new Counter({
      name: `${PREFIX}polls_total`,
      help: 'Polls of a repository, by provider and outcome (success or error).',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.pollErrors = new Counter({
      name: `${PREFIX}poll_errors_total`,
      help: 'Failed polls, by provider and error code.',
      labelNames: ['provider', 'code'],
      registers,
    });
    this.pollDuration = new Histogram({
      name: `${PREFIX}poll_duration_seconds`,
      help: 'Time one poll of one repository took, by provider and outcome.',
      labelNames: ['provider', 'outcome'],
      buckets: POLL_BUCKETS,
      registers,
    });
    this.fallbacks = new Counter({
      name: `${PREFIX}poll_fallbacks_total`,
      help: 'Polls where the provider API failed and git ls-remote answered, by the API failure.',
      labelNames: ['provider', 'reason'],
      registers,
    });
    this.forgeRequests = new Counter({
      name: `${PREFIX}forge_requests_total`,
      help: 'Requests polls sent to Git hosts: kind quota (cost rate-limit quota), not_modified (304, free), other.',
      labelNames: ['provider', 'kind'],
      registers,
    });
    this.changes = new Counter({
      name: `${PREFIX}changes_total`,
      help: 'Ref changes detected and recorded as events, by event type.',
      labelNames: ['type'],
      registers,
    });
    for (const type of EVENT_TYPES) this.changes.inc({ type }, 0);
    this.attempts = new Counter({
      name: `${PREFIX}delivery_attempts_total`,
      help: 'Delivery attempts, by what followed: delivered, retry (will be sent again), failed.',
      labelNames: ['outcome'],
      registers,
    });
    this.deliveries = new Counter({
      name: `${PREFIX}deliveries_total`,
      help: 'Deliveries that ended: delivered, or failed after their retries or a 4xx.',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['delivered', 'retry', 'failed']) this.attempts.inc({ outcome }, 0);
    for (const outcome of ['delivered', 'failed']) this.deliveries.inc({ outcome }, 0);
    this.deliveryDuration = new Histogram({
      name: `${PREFIX}delivery_duration_seconds`,
      help: 'Time one delivery attempt (one HTTP POST to the EventListener) took.',
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    this.detectionToDelivery = new Histogram({
      name: `${PREFIX}detection_to_delivery_seconds`,
      help: 'Time from the poll that detected a change to the EventListener accepting it.',
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    this.reloads = new Counter({
      name: `${PREFIX}config_reloads_total`,
      help: 'Config reloads (SIGHUP or file change), by result: success or failure (rejected).',
      labelNames: ['result'],
      registers,
    });
    this.reloads.inc({ result: 'success' }, 0);
    this.reloads.inc({ result: 'failure' }, 0);
    this.registerGauges(sources);
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  observePoll(report: PollReport): void {
    const outcome = report.ok ? 'success' : 'error';
    const provider = report.provider;
    this.polls.inc({ provider, outcome });
    this.pollDuration.observe({ provider, outcome }, report.durationMs / 1000);
    if (!report.ok) this.pollErrors.inc({ provider, code: report.code ?? 'internal' });
    if (report.fallbackReason !== undefined)
      this.fallbacks.inc({ provider, reason: report.fallbackReason });
    if (report.cost) {
      const { requests, quotaUnits, notModified } = report.cost;
      if (quotaUnits > 0) this.forgeRequests.inc({ provider, kind: 'quota' }, quotaUnits);
      if (notModified > 0) this.forgeRequests.inc({ provider, kind: 'not_modified' }, notModified);
      const other = requests - quotaUnits - notModified;
      if (other > 0) this.forgeRequests.inc({ provider, kind: 'other' }, other);
    }
    for (const event of report.newEvents) this.changes.inc({ type: event.type });
  }

  observeDeliveryAttempt(report: DeliveryAttemptReport): void {
    const outcome = report.status === 'pending' ? 'retry' : report.status;
    this.attempts.inc({ outcome });
    if (outcome !== 'retry') this.deliveries.inc({ outcome });
    this.deliveryDuration.observe(report.outcome.latencyMs / 1000);
    if (report.status === 'delivered')
      this.detectionToDelivery.observe(Math.max(0, report.sinceDetectedMs) / 1000);
  }

  observeConfigReload(outcome: ReloadOutcome): void {
    this.reloads.inc({ result: outcome === 'rejected' ? 'failure' : 'success' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private registerGauges(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: `${PREFIX}delivery_queue`,
      help: 'Deliveries in the database, by status (pending is the queue depth).',
      labelNames: ['status'],
      registers,
      collect() {
        const counts = attempt(() => sources.deliveryCounts());
        if (counts === undefined) return;
        for (const status of DELIVERY_STATUSES) this.set({ status }, counts[status]);
      },
    });
    new Gauge({
      name: `${PREFIX}delivery_oldest_pending_age_seconds`,
      help: 'Age of the oldest pending delivery since it was queued; 0 when none is pending.',
      registers,
      collect() {
        const age = attempt(() => sources.oldestPendingAgeMs() ?? 0);
        if (age !== undefined) this.set(age / 1000);
      },
    });
    const quota = (name: string, help: string, value: (s: RateLimitSnapshot) => number): void => {
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames: ['provider', 'host', 'account'],
        registers,
        collect() {
          const snapshots = attempt(() => sources.rateLimits());
          if (snapshots === undefined) return;
          this.reset();
          for (const s of snapshots)
            this.set({ provider: s.provider, host: s.host, account: s.account }, value(s));
        },
      });
    };
    quota(
      'rate_limit_remaining',
      'Rate-limit quota left, per API host and token.',
      (s) => s.remaining,
    );
    quota(
      'rate_limit_limit',
      'Rate-limit quota per window, per API host and token.',
      (s) => s.limit,
    );
    quota(
      'rate_limit_reset_timestamp_seconds',
      'When the rate-limit quota resets (Unix time), per API host and token.',
      (s) => s.resetAt.getTime() / 1000,
    );
  }
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
