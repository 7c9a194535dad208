import { describe, expect, it } from 'vitest';
import type { RateLimitSnapshot } from '../gitclient/index.js';
import type { DeliveryStatus } from '../storage/storage-types.js';
import { DaemonMetrics, type MetricsSources } from './daemon-metrics.js';

function sources(overrides: Partial<MetricsSources> = {}): MetricsSources {
  const counts: Record<DeliveryStatus, number> = {
    pending: 3,
    in_flight: 1,
    delivered: 7,
    failed: 2,
  };
  return {
    deliveryCounts: () => counts,
    oldestPendingAgeMs: () => 4_500,
    rateLimits: () => [],
    ...overrides,
  };
}

const snapshot = (host: string, remaining: number): RateLimitSnapshot => ({
  provider: 'github',
  host,
  account: 'sha256:0123abcd',
  limit: 5000,
  remaining,
  resetAt: new Date('2026-01-01T00:00:00Z'),
});

describe('DaemonMetrics', () => {
  it('reads queue depth and oldest pending age from storage at scrape time', async () => {
    const { body } = await new DaemonMetrics(sources(), { defaultMetrics: false }).render();
    expect(body).toContain('reposentry_delivery_queue{status="pending"} 3');
    expect(body).toContain('reposentry_delivery_queue{status="failed"} 2');
    expect(body).toContain('reposentry_delivery_oldest_pending_age_seconds 4.5');
  });

  it('shows rate limits per host and drops a host that is no longer reported', async () => {
    let limits = [snapshot('api.github.com', 4990), snapshot('ghe.example.com', 12)];
    const metrics = new DaemonMetrics(sources({ rateLimits: () => limits }), {
      defaultMetrics: false,
    });
    let { body } = await metrics.render();
    expect(body).toContain(
      'reposentry_rate_limit_remaining{provider="github",host="ghe.example.com",account="sha256:0123abcd"} 12',
    );
    limits = [snapshot('api.github.com', 4989)];
    ({ body } = await metrics.render());
    expect(body).not.toContain('ghe.example.com');
    expect(body).toContain('host="api.github.com",account="sha256:0123abcd"} 4989');
  });

  it('still renders when a source throws (database closing)', async () => {
    const metrics = new DaemonMetrics(
      sources({
        deliveryCounts: () => {
          throw new Error('database closed');
        },
      }),
      { defaultMetrics: false },
    );
    const { body } = await metrics.render();
    expect(body).toContain('reposentry_delivery_oldest_pending_age_seconds 4.5');
  });

  it('counts config reloads, and keeps each instance its own counters', async () => {
    const a = new DaemonMetrics(sources(), { defaultMetrics: false });
    const b = new DaemonMetrics(sources(), { defaultMetrics: false });
    a.observeConfigReload('applied');
    a.observeConfigReload('unchanged');
    a.observeConfigReload('rejected');
    const bodyA = (await a.render()).body;
    expect(bodyA).toContain('reposentry_config_reloads_total{result="success"} 2');
    expect(bodyA).toContain('reposentry_config_reloads_total{result="failure"} 1');
    expect((await b.render()).body).toContain(
      'reposentry_config_reloads_total{result="failure"} 0',
    );
  });

  it('counts quota cost, 304s and fallbacks from poll reports', async () => {
    const metrics = new DaemonMetrics(sources(), { defaultMetrics: false });
    metrics.observePoll({
      repository: 'app',
      provider: 'github',
      ok: true,
      durationMs: 40,
      via: 'ls-remote',
      fallbackReason: 'forge-unavailable',
      cost: { requests: 4, quotaUnits: 1, notModified: 2 },
      events: [],
      newEvents: [],
    });
    const { body } = await metrics.render();
    expect(body).toContain('reposentry_forge_requests_total{provider="github",kind="quota"} 1');
    expect(body).toContain(
      'reposentry_forge_requests_total{provider="github",kind="not_modified"} 2',
    );
    expect(body).toContain('reposentry_forge_requests_total{provider="github",kind="other"} 1');
    expect(body).toContain(
      'reposentry_poll_fallbacks_total{provider="github",reason="forge-unavailable"} 1',
    );
    for (const line of body.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+$/);
    }
  });
});
