import { Gauge, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type ChangeEvent, type EventType } from '../events/change-event.js';
import type { RateLimitSnapshot } from '../gitclient/index.js';
import type { PollReport } from '../poller/poll-report.js';
import type { DeliveryStatus } from '../storage/storage-types.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-attempt-report.js';
import { DaemonMetrics, type MetricsSources } from './daemon-metrics.js';

function sources(overrides: Partial<MetricsSources> = {}): MetricsSources {
  const counts: Record<DeliveryStatus, number> = {
    pending: 3,
    in_flight: 1,
    delivered: 7,
    failed: 2,
  };
  return {
    deliveryCounts: () => Promise.resolve(counts),
    oldestPendingAgeMs: () => Promise.resolve(4_500),
    rateLimits: () => [],
    ...overrides,
  };
}

function quiet(overrides: Partial<MetricsSources> = {}): DaemonMetrics {
  return new DaemonMetrics(sources(overrides), { defaultMetrics: false });
}

const snapshot = (host: string, remaining: number): RateLimitSnapshot => ({
  provider: 'github',
  host,
  account: 'sha256:0123abcd',
  limit: 5000,
  remaining,
  resetAt: new Date('2026-01-01T00:00:00Z'),
});

function event(type: EventType, ref = 'refs/heads/main'): ChangeEvent {
  return {
    id: `id-${type}-${ref}`,
    type,
    repository: { name: 'app', url: 'https://github.com/acme/app.git', provider: 'github' },
    ref,
    before: type.endsWith('.created') ? null : 'a'.repeat(40),
    after: type.endsWith('.deleted') ? null : 'b'.repeat(40),
    transition: 1,
    detectedAt: new Date('2026-01-01T00:00:00Z'),
  };
}

function pollReport(overrides: Partial<PollReport> = {}): PollReport {
  return {
    repository: 'app',
    provider: 'github',
    ok: true,
    durationMs: 40,
    via: 'api',
    events: [],
    newEvents: [],
    cost: { requests: 1, quotaUnits: 1, notModified: 0 },
    ...overrides,
  };
}

function attemptReport(
  status: DeliveryAttemptReport['status'],
  latencyMs: number,
  sinceDetectedMs: number,
): DeliveryAttemptReport {
  return {
    deliveryId: 1,
    eventId: 'id-1',
    repository: 'app',
    targetUrl: 'http://el.example:8080/',
    attempt: 1,
    status,
    outcome: {
      ok: status === 'delivered',
      statusCode: status === 'delivered' ? 202 : status === 'failed' ? 400 : 503,
      latencyMs,
      retryable: status === 'pending',
      code:
        status === 'delivered'
          ? 'delivered'
          : status === 'failed'
            ? 'delivery-rejected'
            : 'delivery-failed',
    },
    sinceDetectedMs,
  };
}

/** The value of the one sample `series` (name plus exact label set), or undefined if absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('DaemonMetrics', () => {
  it('counts successful and failed polls by provider, with error codes and durations', async () => {
    const metrics = quiet();
    metrics.observePoll(pollReport({ durationMs: 40 }));
    metrics.observePoll(pollReport({ durationMs: 2_000 }));
    metrics.observePoll(
      pollReport({
        provider: 'gitlab',
        ok: false,
        durationMs: 30_000,
        code: 'forge-unauthorized',
        error: '401 Unauthorized',
      }),
    );
    const { body } = await metrics.render();
    expect(sample(body, 'reposentry_polls_total{provider="github",outcome="success"}')).toBe(2);
    expect(sample(body, 'reposentry_polls_total{provider="gitlab",outcome="error"}')).toBe(1);
    expect(sample(body, 'reposentry_polls_total{provider="github",outcome="error"}')).toBe(
      undefined,
    );
    expect(
      sample(body, 'reposentry_poll_errors_total{provider="gitlab",code="forge-unauthorized"}'),
    ).toBe(1);
    expect(body).not.toContain('reposentry_poll_errors_total{provider="github"');
    const github = 'provider="github",outcome="success"';
    expect(sample(body, `reposentry_poll_duration_seconds_count{${github}}`)).toBe(2);
    expect(sample(body, `reposentry_poll_duration_seconds_sum{${github}}`)).toBeCloseTo(2.04);
    expect(sample(body, `reposentry_poll_duration_seconds_bucket{le="0.025",${github}}`)).toBe(0);
    expect(sample(body, `reposentry_poll_duration_seconds_bucket{le="0.05",${github}}`)).toBe(1);
    expect(sample(body, `reposentry_poll_duration_seconds_bucket{le="2.5",${github}}`)).toBe(2);
    const gitlab = 'provider="gitlab",outcome="error"';
    expect(sample(body, `reposentry_poll_duration_seconds_bucket{le="10",${gitlab}}`)).toBe(0);
    expect(sample(body, `reposentry_poll_duration_seconds_bucket{le="30",${gitlab}}`)).toBe(1);
    expect(sample(body, `reposentry_poll_duration_seconds_bucket{le="60",${gitlab}}`)).toBe(1);
  });

  it('counts quota cost, 304s and fallbacks from poll reports', async () => {
    const metrics = quiet();
    metrics.observePoll(
      pollReport({
        via: 'ls-remote',
        fallbackReason: 'forge-unavailable',
        cost: { requests: 4, quotaUnits: 1, notModified: 2 },
      }),
    );
    metrics.observePoll(
      pollReport({ unchanged: true, cost: { requests: 1, quotaUnits: 0, notModified: 1 } }),
    );
    const { body } = await metrics.render();
    expect(sample(body, 'reposentry_forge_requests_total{provider="github",kind="quota"}')).toBe(1);
    expect(
      sample(body, 'reposentry_forge_requests_total{provider="github",kind="not_modified"}'),
    ).toBe(3);
    expect(sample(body, 'reposentry_forge_requests_total{provider="github",kind="other"}')).toBe(1);
    expect(
      sample(body, 'reposentry_poll_fallbacks_total{provider="github",reason="forge-unavailable"}'),
    ).toBe(1);
  });

  it('counts only new events as changes, and shows every event type from the start', async () => {
    const metrics = quiet();
    const fresh = (await metrics.render()).body;
    for (const type of EVENT_TYPES) {
      expect(sample(fresh, `reposentry_changes_total{type="${type}"}`)).toBe(0);
    }
    const updated = event('branch.updated');
    const created = event('tag.created', 'refs/tags/v1.0');
    metrics.observePoll(
      pollReport({
        events: [updated, created, event('branch.deleted', 'refs/heads/old')],
        newEvents: [updated, created, event('branch.updated', 'refs/heads/dev')],
      }),
    );
    const { body } = await metrics.render();
    expect(sample(body, 'reposentry_changes_total{type="branch.updated"}')).toBe(2);
    expect(sample(body, 'reposentry_changes_total{type="tag.created"}')).toBe(1);
    expect(sample(body, 'reposentry_changes_total{type="branch.deleted"}')).toBe(0);
  });

  it('counts delivery attempts by what followed, and deliveries only when they end', async () => {
    const metrics = quiet();
    const fresh = (await metrics.render()).body;
    for (const outcome of ['delivered', 'retry', 'failed']) {
      expect(sample(fresh, `reposentry_delivery_attempts_total{outcome="${outcome}"}`)).toBe(0);
    }
    expect(sample(fresh, 'reposentry_deliveries_total{outcome="delivered"}')).toBe(0);
    expect(sample(fresh, 'reposentry_deliveries_total{outcome="failed"}')).toBe(0);

    metrics.observeDeliveryAttempt(attemptReport('pending', 10_000, 10_500));
    metrics.observeDeliveryAttempt(attemptReport('pending', 10_000, 21_000));
    metrics.observeDeliveryAttempt(attemptReport('delivered', 120, 42_000));
    metrics.observeDeliveryAttempt(attemptReport('failed', 30, 900));
    const { body } = await metrics.render();
    expect(sample(body, 'reposentry_delivery_attempts_total{outcome="retry"}')).toBe(2);
    expect(sample(body, 'reposentry_delivery_attempts_total{outcome="delivered"}')).toBe(1);
    expect(sample(body, 'reposentry_delivery_attempts_total{outcome="failed"}')).toBe(1);
    expect(sample(body, 'reposentry_deliveries_total{outcome="delivered"}')).toBe(1);
    expect(sample(body, 'reposentry_deliveries_total{outcome="failed"}')).toBe(1);
    expect(body).not.toContain('reposentry_deliveries_total{outcome="retry"}');
    expect(body).not.toContain('outcome="pending"');

    expect(sample(body, 'reposentry_delivery_duration_seconds_count')).toBe(4);
    expect(sample(body, 'reposentry_delivery_duration_seconds_sum')).toBeCloseTo(20.15);
    expect(sample(body, 'reposentry_delivery_duration_seconds_bucket{le="0.25"}')).toBe(2);
    // Only the delivered attempt: detection to the EventListener accepting it.
    expect(sample(body, 'reposentry_detection_to_delivery_seconds_count')).toBe(1);
    expect(sample(body, 'reposentry_detection_to_delivery_seconds_sum')).toBe(42);
    expect(sample(body, 'reposentry_detection_to_delivery_seconds_bucket{le="30"}')).toBe(0);
    expect(sample(body, 'reposentry_detection_to_delivery_seconds_bucket{le="60"}')).toBe(1);
  });

  it('counts config reloads, with unchanged as a success', async () => {
    const metrics = quiet();
    const fresh = (await metrics.render()).body;
    expect(sample(fresh, 'reposentry_config_reloads_total{result="success"}')).toBe(0);
    expect(sample(fresh, 'reposentry_config_reloads_total{result="failure"}')).toBe(0);
    metrics.observeConfigReload('applied');
    metrics.observeConfigReload('unchanged');
    metrics.observeConfigReload('rejected');
    const { body } = await metrics.render();
    expect(sample(body, 'reposentry_config_reloads_total{result="success"}')).toBe(2);
    expect(sample(body, 'reposentry_config_reloads_total{result="failure"}')).toBe(1);
  });

  it('reads queue depth and oldest pending age from their sources at every scrape', async () => {
    let pending = 3;
    let oldest: number | undefined = 4_500;
    const metrics = quiet({
      deliveryCounts: () => Promise.resolve({ pending, in_flight: 1, delivered: 7, failed: 2 }),
      oldestPendingAgeMs: () => Promise.resolve(oldest),
    });
    let { body } = await metrics.render();
    expect(sample(body, 'reposentry_delivery_queue{status="pending"}')).toBe(3);
    expect(sample(body, 'reposentry_delivery_queue{status="in_flight"}')).toBe(1);
    expect(sample(body, 'reposentry_delivery_queue{status="delivered"}')).toBe(7);
    expect(sample(body, 'reposentry_delivery_queue{status="failed"}')).toBe(2);
    expect(sample(body, 'reposentry_delivery_oldest_pending_age_seconds')).toBe(4.5);

    pending = 0;
    oldest = undefined;
    ({ body } = await metrics.render());
    expect(sample(body, 'reposentry_delivery_queue{status="pending"}')).toBe(0);
    expect(sample(body, 'reposentry_delivery_oldest_pending_age_seconds')).toBe(0);
  });

  it('shows rate limits per host and token, and drops one that is no longer reported', async () => {
    let limits = [snapshot('api.github.com', 4990), snapshot('ghe.example.com', 12)];
    const metrics = quiet({ rateLimits: () => limits });
    let { body } = await metrics.render();
    const ghe = 'provider="github",host="ghe.example.com",account="sha256:0123abcd"';
    const dotcom = 'provider="github",host="api.github.com",account="sha256:0123abcd"';
    expect(sample(body, `reposentry_rate_limit_remaining{${ghe}}`)).toBe(12);
    expect(sample(body, `reposentry_rate_limit_remaining{${dotcom}}`)).toBe(4990);
    expect(sample(body, `reposentry_rate_limit_limit{${ghe}}`)).toBe(5000);
    expect(sample(body, `reposentry_rate_limit_reset_timestamp_seconds{${ghe}}`)).toBe(
      1_767_225_600,
    );

    limits = [snapshot('api.github.com', 4989)];
    ({ body } = await metrics.render());
    expect(body).not.toContain('ghe.example.com');
    expect(sample(body, `reposentry_rate_limit_remaining{${dotcom}}`)).toBe(4989);
    expect(sample(body, `reposentry_rate_limit_limit{${dotcom}}`)).toBe(5000);
  });

  it('still renders when every source throws (database closing during shutdown)', async () => {
    const closed = (): never => {
      throw new Error('database closed');
    };
    let failing = false;
    const metrics = quiet({
      deliveryCounts: () =>
        failing ? closed() : Promise.resolve({ pending: 5, in_flight: 0, delivered: 1, failed: 0 }),
      oldestPendingAgeMs: () => (failing ? closed() : Promise.resolve(2_000)),
      rateLimits: () => (failing ? closed() : [snapshot('api.github.com', 100)]),
    });
    await metrics.render();
    failing = true;
    metrics.observePoll(pollReport());
    const { body } = await metrics.render();
    // Counters still move; the gauges keep their last good reading.
    expect(sample(body, 'reposentry_polls_total{provider="github",outcome="success"}')).toBe(1);
    expect(sample(body, 'reposentry_delivery_queue{status="pending"}')).toBe(5);
    expect(sample(body, 'reposentry_delivery_oldest_pending_age_seconds')).toBe(2);
    expect(body).toContain('reposentry_rate_limit_remaining{provider="github"');

    const neverRead = quiet({
      deliveryCounts: closed,
      oldestPendingAgeMs: closed,
      rateLimits: closed,
    });
    await expect(neverRead.render()).resolves.toMatchObject({
      body: expect.stringContaining('# TYPE reposentry_delivery_queue gauge'),
    });
  });

  it('skips bad numbers in a report instead of throwing or poisoning a counter', async () => {
    const metrics = quiet();
    expect(() =>
      metrics.observePoll(
        pollReport({
          durationMs: Number.NaN,
          cost: { requests: 3, quotaUnits: -1, notModified: Number.NaN },
        }),
      ),
    ).not.toThrow();
    expect(() =>
      metrics.observeDeliveryAttempt(attemptReport('delivered', Number.NaN, -5)),
    ).not.toThrow();
    const { body } = await metrics.render();
    expect(body).not.toMatch(/Nan|Inf(?!")/);
    expect(sample(body, 'reposentry_forge_requests_total{provider="github",kind="other"}')).toBe(3);
    expect(body).not.toContain('kind="quota"');
    expect(body).not.toContain('kind="not_modified"');
    expect(sample(body, 'reposentry_polls_total{provider="github",outcome="success"}')).toBe(1);
    expect(sample(body, 'reposentry_detection_to_delivery_seconds_sum')).toBe(0);
  });

  it('keeps each instance its own registry, away from the global one', async () => {
    const a = new DaemonMetrics(sources());
    const b = new DaemonMetrics(sources());
    a.observePoll(pollReport());
    a.observeConfigReload('rejected');
    const bodyA = (await a.render()).body;
    const bodyB = (await b.render()).body;
    expect(sample(bodyA, 'reposentry_polls_total{provider="github",outcome="success"}')).toBe(1);
    expect(sample(bodyA, 'reposentry_config_reloads_total{result="failure"}')).toBe(1);
    expect(bodyB).not.toContain('reposentry_polls_total{');
    expect(sample(bodyB, 'reposentry_config_reloads_total{result="failure"}')).toBe(0);
    expect(globalRegistry.getSingleMetric('reposentry_polls_total')).toBeUndefined();
    expect(await globalRegistry.metrics()).not.toContain('reposentry_');
  });

  it('adds process and Node.js metrics unless told not to', async () => {
    const withDefaults = await new DaemonMetrics(sources()).render();
    expect(withDefaults.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'reposentry_process_cpu_user_seconds_total',
      'reposentry_process_resident_memory_bytes',
      'reposentry_process_start_time_seconds',
      'reposentry_nodejs_heap_size_used_bytes',
      'reposentry_nodejs_eventloop_lag_seconds',
    ]) {
      expect(withDefaults.body).toContain(`# TYPE ${name} `);
    }
    const without = await quiet().render();
    expect(without.body).not.toContain('process_cpu');
    expect(without.body).not.toContain('nodejs_');
  });

  it('writes a NaN value the way the exposition format spells it', async () => {
    const metrics = quiet();
    new Gauge({ name: 'extra_ratio', help: 'A ratio.', registers: [metrics.registry] }).set(NaN);
    const { body } = await metrics.render();
    expect(body).toContain('\nextra_ratio NaN\n');
    expect(body).toContain('# HELP extra_ratio A ratio.\n');
  });

  it('renders text every line of which follows the Prometheus exposition format', async () => {
    const metrics = new DaemonMetrics(
      sources({ rateLimits: () => [snapshot('gitlab.example.com:8443', 7)] }),
    );
    metrics.observePoll(pollReport({ newEvents: [event('branch.created')] }));
    metrics.observePoll(pollReport({ ok: false, code: 'git-timeout', durationMs: 61_000 }));
    metrics.observeDeliveryAttempt(attemptReport('delivered', 80, 1_200));
    metrics.observeConfigReload('applied');
    const { body } = await metrics.render();

    const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
    const label = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
    const value = '(?:[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)';
    const sampleLine = new RegExp(
      `^(${name})(?:\\{${label}(?:,${label})*,?\\})? ${value}(?: -?[0-9]+)?$`,
    );
    const typeLine = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`);
    const helpLine = new RegExp(`^# HELP (${name}) \\S.*$`);

    const types = new Map<string, string>();
    const helped = new Set<string>();
    const lines = body.split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines) {
      if (line === '') continue;
      if (line.startsWith('#')) {
        const help = helpLine.exec(line);
        const type = typeLine.exec(line);
        expect(help ?? type, line).not.toBeNull();
        if (help?.[1] !== undefined) helped.add(help[1]);
        if (type?.[1] !== undefined && type[2] !== undefined) types.set(type[1], type[2]);
        continue;
      }
      const match = sampleLine.exec(line);
      expect(match, line).not.toBeNull();
      const metric = match?.[1] ?? '';
      const family = types.has(metric) ? metric : metric.replace(/_(bucket|sum|count)$/, '');
      expect(types.has(family), `${line} has no # TYPE`).toBe(true);
      if (family !== metric) expect(types.get(family)).toMatch(/histogram|summary/);
    }
    expect([...types.keys()].sort()).toEqual([...helped].sort());
    expect(types.get('reposentry_polls_total')).toBe('counter');
    expect(types.get('reposentry_delivery_queue')).toBe('gauge');
    expect(types.get('reposentry_detection_to_delivery_seconds')).toBe('histogram');
  });
});
