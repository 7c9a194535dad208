import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReloadOutcome } from '../config/config-watcher.js';
import { EVENT_TYPES } from '../events/change-event.js';
import type { PollReport } from '../poller/poll-report.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-attempt-report.js';
import { registerSourceGauges, type MetricsSources } from './register-source-gauges.js';

export type { MetricsSources } from './register-source-gauges.js';

export interface DaemonMetricsOptions {
  /** Process and Node.js metrics (CPU, memory, event loop, GC), prefixed `reposentry_`. Default true. */
  readonly defaultMetrics?: boolean;
}

const PREFIX = 'reposentry_';

/** What followed a delivery attempt: `retry` is a delivery left pending to be sent again. */
export const DELIVERY_ATTEMPT_OUTCOMES = ['delivered', 'retry', 'failed'] as const;
export type DeliveryAttemptOutcome = (typeof DELIVERY_ATTEMPT_OUTCOMES)[number];
export const CONFIG_RELOAD_RESULTS = ['success', 'failure'] as const;

/** One poll: an unchanged 304 takes milliseconds; a slow ls-remote or retried API call up to a minute. */
const POLL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** One HTTP POST to the EventListener (the default timeout is 10 s). */
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Detection to acceptance: usually the first attempt, but retries back off for up to minutes. */
const DETECTION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The Prometheus metrics of one daemon, in a registry of its own (tests run several daemons in
 * one process). Counters and histograms move with poll, delivery and reload reports; the queue
 * and rate-limit gauges are read from their sources when scraped. Observing never throws: a bad
 * number in a report is skipped rather than breaking the poll or delivery that reported it.
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
  private readonly payloadDetails: Counter<'outcome'>;
  private readonly hooks: Counter<'provider' | 'outcome'>;
  private readonly payloadDetailRequests: Counter<'kind'>;

  constructor(sources: MetricsSources, options: DaemonMetricsOptions = {}) {
    const registers = [this.registry];
    this.polls = new Counter({
      name: `${PREFIX}polls_total`,
      help: 'Polls of a repository, by provider and outcome (success or error).',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.pollErrors = new Counter({
      name: `${PREFIX}poll_errors_total`,
      help: 'Polls that failed, by provider and error code.',
      labelNames: ['provider', 'code'],
      registers,
    });
    this.pollDuration = new Histogram({
      name: `${PREFIX}poll_duration_seconds`,
      help: 'Seconds one poll of one repository took, by provider and outcome.',
      labelNames: ['provider', 'outcome'],
      buckets: POLL_BUCKETS,
      registers,
    });
    this.fallbacks = new Counter({
      name: `${PREFIX}poll_fallbacks_total`,
      help: 'Polls where the Git host API failed and git ls-remote answered, by the API error code.',
      labelNames: ['provider', 'reason'],
      registers,
    });
    this.forgeRequests = new Counter({
      name: `${PREFIX}forge_requests_total`,
      help: 'Requests polls sent to Git hosts, by kind: quota (cost rate-limit quota), not_modified (answered 304, free), other (ls-remote runs, rejected requests).',
      labelNames: ['provider', 'kind'],
      registers,
    });
    this.hooks = new Counter({
      name: `${PREFIX}intake_hooks_total`,
      help: 'Webhooks received by the intake (/hooks/github, /hooks/gitlab), by provider and outcome: accepted (a poll asked for), ping, unauthorized, not_watched, malformed, too_large, rate_limited, disabled.',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.payloadDetails = new Counter({
      name: `${PREFIX}payload_details_total`,
      help: 'Payloads built with the Git host details of their change (commits, compare, repository), by outcome: complete, or partial (a part the host did not give, logged with its code).',
      labelNames: ['outcome'],
      registers,
    });
    this.payloadDetailRequests = new Counter({
      name: `${PREFIX}payload_detail_requests_total`,
      help: 'Requests sent to Git hosts for payload details, by kind: quota (cost rate-limit quota) or other (answered 304, or rejected).',
      labelNames: ['kind'],
      registers,
    });
    this.changes = new Counter({
      name: `${PREFIX}changes_total`,
      help: 'Ref changes detected and recorded as new events, by event type.',
      labelNames: ['type'],
      registers,
    });
    this.attempts = new Counter({
      name: `${PREFIX}delivery_attempts_total`,
      help: 'Webhook delivery attempts, by what followed: delivered, retry (will be sent again) or failed (given up).',
      labelNames: ['outcome'],
      registers,
    });
    this.deliveries = new Counter({
      name: `${PREFIX}deliveries_total`,
      help: 'Webhook deliveries that ended: delivered, or failed (a 4xx, or every retry spent).',
      labelNames: ['outcome'],
      registers,
    });
    this.deliveryDuration = new Histogram({
      name: `${PREFIX}delivery_duration_seconds`,
      help: 'Seconds one delivery attempt (one HTTP POST to the EventListener) took.',
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    this.detectionToDelivery = new Histogram({
      name: `${PREFIX}detection_to_delivery_seconds`,
      help: 'Seconds from detecting a ref change to the EventListener accepting its delivery.',
      buckets: DETECTION_BUCKETS,
      registers,
    });
    this.reloads = new Counter({
      name: `${PREFIX}config_reloads_total`,
      help: 'Configuration reloads (SIGHUP or file change), by result: success (applied or unchanged) or failure (rejected).',
      labelNames: ['result'],
      registers,
    });
    // Series a dashboard or alert needs from the first scrape, before anything happened.
    for (const type of EVENT_TYPES) this.changes.inc({ type }, 0);
    for (const outcome of DELIVERY_ATTEMPT_OUTCOMES) this.attempts.inc({ outcome }, 0);
    this.deliveries.inc({ outcome: 'delivered' }, 0);
    this.deliveries.inc({ outcome: 'failed' }, 0);
    for (const result of CONFIG_RELOAD_RESULTS) this.reloads.inc({ result }, 0);

    registerSourceGauges(this.registry, sources);
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    }
  }

  observePoll(report: PollReport): void {
    const { provider } = report;
    const outcome = report.ok ? 'success' : 'error';
    this.polls.inc({ provider, outcome });
    const duration = seconds(report.durationMs);
    if (duration !== undefined) this.pollDuration.observe({ provider, outcome }, duration);
    if (!report.ok) this.pollErrors.inc({ provider, code: report.code ?? 'internal' });
    if (report.fallbackReason !== undefined) {
      this.fallbacks.inc({ provider, reason: report.fallbackReason });
    }
    if (report.cost !== undefined) {
      const quota = count(report.cost.quotaUnits);
      const notModified = count(report.cost.notModified);
      const other = count(report.cost.requests) - quota - notModified;
      if (quota > 0) this.forgeRequests.inc({ provider, kind: 'quota' }, quota);
      if (notModified > 0) this.forgeRequests.inc({ provider, kind: 'not_modified' }, notModified);
      if (other > 0) this.forgeRequests.inc({ provider, kind: 'other' }, other);
    }
    for (const event of report.newEvents) this.changes.inc({ type: event.type });
  }

  observeDeliveryAttempt(report: DeliveryAttemptReport): void {
    const outcome: DeliveryAttemptOutcome = report.status === 'pending' ? 'retry' : report.status;
    this.attempts.inc({ outcome });
    if (outcome !== 'retry') this.deliveries.inc({ outcome });
    const latency = seconds(report.outcome.latencyMs);
    if (latency !== undefined) this.deliveryDuration.observe(latency);
    if (report.details !== undefined) {
      const { missing, cost } = report.details;
      this.payloadDetails.inc({ outcome: missing.length === 0 ? 'complete' : 'partial' });
      const quota = count(cost.quotaUnits);
      const other = count(cost.requests) - quota;
      if (quota > 0) this.payloadDetailRequests.inc({ kind: 'quota' }, quota);
      if (other > 0) this.payloadDetailRequests.inc({ kind: 'other' }, other);
    }
    if (outcome === 'delivered') {
      const sinceDetected = seconds(report.sinceDetectedMs);
      if (sinceDetected !== undefined) this.detectionToDelivery.observe(sinceDetected);
    }
  }

  observeHook(provider: 'github' | 'gitlab', outcome: string): void {
    this.hooks.inc({ provider, outcome });
  }

  /** `unchanged` (nothing to apply) is a success: the file was read and validated. */
  observeConfigReload(outcome: ReloadOutcome): void {
    this.reloads.inc({ result: outcome === 'rejected' ? 'failure' : 'success' });
  }

  /** The Prometheus text exposition of every metric, and its Content-Type. */
  async render(): Promise<{ contentType: string; body: string }> {
    const body = await this.registry.metrics();
    // prom-client writes NaN (e.g. the event-loop lag mean before its first sample) as `Nan`;
    // the exposition format spells it `NaN`, and strict parsers reject anything else.
    return {
      contentType: this.registry.contentType,
      body: body.replace(/^(?!#)(.*) Nan$/gm, '$1 NaN'),
    };
  }
}

/** Milliseconds to seconds; negative (clock step) becomes 0, a non-number undefined. */
function seconds(ms: number): number | undefined {
  return Number.isFinite(ms) ? Math.max(0, ms) / 1000 : undefined;
}

/** A count from a report; 0 when negative or not a number. */
function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
