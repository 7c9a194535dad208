import { Gauge, type Registry } from 'prom-client';
import type { RateLimitSnapshot } from '../gitclient/index.js';
import type { QuotaForecast } from '../poller/quota-governor.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../storage/storage-types.js';

/** What the scrape-time gauges read: called on every scrape, never cached. */
export interface MetricsSources {
  deliveryCounts(): Promise<Record<DeliveryStatus, number>>;
  oldestPendingAgeMs(): Promise<number | undefined>;
  rateLimits(): readonly RateLimitSnapshot[];
  /** The quota governor's forecasts (absent: none). */
  quotaForecasts?(): readonly QuotaForecast[];
}

const RATE_LIMIT_LABELS = ['provider', 'host', 'account'] as const;
type RateLimitLabel = (typeof RATE_LIMIT_LABELS)[number];

/**
 * Registers the gauges whose values live elsewhere (the delivery table, the git clients' quota
 * snapshots) and are read when Prometheus scrapes. A source that throws (the database closing
 * during shutdown) leaves its gauge as it was, so the scrape still answers.
 */
export function registerSourceGauges(registry: Registry, sources: MetricsSources): void {
  const registers = [registry];
  new Gauge({
    name: 'reposentry_delivery_queue',
    help: 'Deliveries in the database by status; pending is the number waiting to be sent.',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = await readSafelyLater(() => sources.deliveryCounts());
      if (counts === undefined) return;
      for (const status of DELIVERY_STATUSES) {
        const count = finiteOrUndefined(counts[status]);
        if (count !== undefined) this.set({ status }, count);
      }
    },
  });
  new Gauge({
    name: 'reposentry_delivery_oldest_pending_age_seconds',
    help: 'Seconds since the oldest delivery still waiting to be sent was queued; 0 when none waits.',
    registers,
    async collect() {
      const ageMs = await readSafelyLater(async () => (await sources.oldestPendingAgeMs()) ?? 0);
      const age = finiteOrUndefined(ageMs);
      if (age !== undefined) this.set(Math.max(0, age) / 1000);
    },
  });
  const rateLimitGauge = (
    name: string,
    help: string,
    valueOf: (snapshot: RateLimitSnapshot) => number,
  ): void => {
    new Gauge<RateLimitLabel>({
      name,
      help,
      labelNames: RATE_LIMIT_LABELS,
      registers,
      collect() {
        const snapshots = readSafely(() => sources.rateLimits());
        if (snapshots === undefined) return;
        // A host or token no longer in use (config reload) must not linger with its last value.
        this.reset();
        for (const snapshot of snapshots) {
          const value = finiteOrUndefined(readSafely(() => valueOf(snapshot)));
          if (value === undefined) continue;
          const { provider, host, account } = snapshot;
          this.set({ provider, host, account }, value);
        }
      },
    });
  };
  rateLimitGauge(
    'reposentry_rate_limit_remaining',
    'Requests the Git host API still allows in the current rate-limit window, per host and token.',
    (s) => s.remaining,
  );
  rateLimitGauge(
    'reposentry_rate_limit_limit',
    'Requests the Git host API allows per rate-limit window, per host and token.',
    (s) => s.limit,
  );
  rateLimitGauge(
    'reposentry_rate_limit_reset_timestamp_seconds',
    'When the current rate-limit window of the Git host API ends, as Unix time in seconds.',
    (s) => s.resetAt.getTime() / 1000,
  );
  new Gauge({
    name: 'reposentry_quota_forecast',
    help: "The quota governor's forecast per API host and token: requests per minute (304s included) and quota per hour, as demanded at the repositories' intervals, as planned after stretching, and the budget.",
    labelNames: [...RATE_LIMIT_LABELS, 'window', 'figure'],
    registers,
    collect() {
      const forecasts = readSafely(() => sources.quotaForecasts?.() ?? []);
      if (forecasts === undefined) return;
      this.reset();
      for (const f of forecasts) {
        const labels = { provider: f.provider, host: f.host, account: f.account };
        for (const window of ['minute', 'hour'] as const) {
          for (const figure of ['demand', 'planned', 'budget'] as const) {
            const value = finiteOrUndefined(f[window][figure]);
            if (value !== undefined) this.set({ ...labels, window, figure }, value);
          }
        }
      }
    },
  });
  new Gauge<RateLimitLabel>({
    name: 'reposentry_quota_stretched_repositories',
    help: 'Repositories the quota governor polls less often than their interval, per API host and token.',
    labelNames: RATE_LIMIT_LABELS,
    registers,
    collect() {
      const forecasts = readSafely(() => sources.quotaForecasts?.() ?? []);
      if (forecasts === undefined) return;
      this.reset();
      for (const f of forecasts) {
        this.set({ provider: f.provider, host: f.host, account: f.account }, f.stretched);
      }
    },
  });
}

function readSafely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** `readSafely` of a source that answers later: a rejection is undefined too. */
async function readSafelyLater<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

function finiteOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
