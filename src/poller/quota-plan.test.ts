import { describe, expect, it } from 'vitest';
import { BUDGET_HEADROOM, planQuota, type GovernedRepository } from './quota-plan.js';

const MINUTE = 60_000;
const NOW = 1_000 * MINUTE;

/** `count` repositories polled every minute, the first the most idle. */
const fleet = (count: number, extra: Partial<GovernedRepository> = {}): GovernedRepository[] =>
  Array.from({ length: count }, (_, i) => ({
    name: `r${String(i).padStart(4, '0')}`,
    account: 'github api.github.com sha256:1',
    intervalMs: MINUTE,
    activeAt: NOW - (count - i) * MINUTE,
    requestsPerPoll: 1,
    quotaUnitsPerPoll: 0,
    ...extra,
  }));

describe('planQuota', () => {
  it('stretches nothing while the forecast fits the budgets', () => {
    const plan = planQuota(
      fleet(100),
      new Map([['github api.github.com sha256:1', { requestsPerMinute: 900 }]]),
      NOW,
    );
    expect(plan.stretch.size).toBe(0);
    expect(plan.accounts).toEqual([
      {
        account: 'github api.github.com sha256:1',
        repositories: 100,
        minute: { demand: 100, planned: 100, budget: 900 },
        hour: { demand: 0, planned: 0, budget: null },
        stretched: 0,
        largestStretch: 1,
      },
    ]);
  });

  it('stretches the most idle furthest, just enough to fit the per-minute budget', () => {
    const repositories = fleet(1_000);
    const plan = planQuota(
      repositories,
      new Map([['github api.github.com sha256:1', { requestsPerMinute: 900 }]]),
      NOW,
    );
    const account = plan.accounts[0];
    expect(account?.minute.demand).toBe(1_000);
    expect(account?.minute.planned).toBeLessThanOrEqual(900 * BUDGET_HEADROOM + 0.01);
    expect(account?.minute.planned).toBeGreaterThan(900 * BUDGET_HEADROOM - 1);
    // The more idle, the further stretched; the most active least (if at all).
    const factor = (name: string) => plan.stretch.get(name) ?? 1;
    expect(factor('r0000')).toBeGreaterThan(factor('r0500'));
    expect(factor('r0500')).toBeGreaterThan(factor('r0999'));
    for (let i = 1; i < repositories.length; i += 1) {
      expect(factor(repositories[i]?.name ?? '')).toBeLessThanOrEqual(
        factor(repositories[i - 1]?.name ?? ''),
      );
    }
  });

  it('stretches most repositories of a large fleet, and every one alike when that is not enough', () => {
    const plan = planQuota(
      fleet(10_000),
      new Map([['github api.github.com sha256:1', { requestsPerMinute: 900 }]]),
      NOW,
    );
    expect(plan.stretch.size).toBeGreaterThan(9_000);
    expect(plan.accounts[0]?.minute.planned).toBeLessThanOrEqual(900 * BUDGET_HEADROOM + 0.01);
    // A fleet no stretch to an hour can fit: every repository alike, beyond it.
    const crowded = planQuota(
      fleet(100_000),
      new Map([['github api.github.com sha256:1', { requestsPerMinute: 900 }]]),
      NOW,
    );
    expect(crowded.stretch.size).toBe(100_000);
    expect(crowded.accounts[0]?.minute.planned).toBeLessThanOrEqual(900 * BUDGET_HEADROOM + 0.01);
  });

  it('keeps the hourly quota: 304s cost nothing there, changed listings do', () => {
    const repositories = [
      ...fleet(50, { quotaUnitsPerPoll: 1 }),
      ...fleet(50).map((r) => ({ ...r, name: `quiet-${r.name}` })),
    ];
    const plan = planQuota(
      repositories,
      new Map([
        ['github api.github.com sha256:1', { requestsPerMinute: 900, quotaUnitsPerHour: 1_000 }],
      ]),
      NOW,
    );
    const account = plan.accounts[0];
    expect(account?.hour.demand).toBe(3_000);
    expect(account?.hour.planned).toBeLessThanOrEqual(1_000 * BUDGET_HEADROOM + 0.01);
    expect(account?.minute.planned).toBeLessThanOrEqual(900);
  });

  it('plans each account on its own budget', () => {
    const other = fleet(10).map((r) => ({
      ...r,
      name: `o${r.name}`,
      account: 'gitlab gitlab.com sha256:2',
    }));
    const plan = planQuota(
      [...fleet(10), ...other],
      new Map([
        ['github api.github.com sha256:1', { requestsPerMinute: 900 }],
        ['gitlab gitlab.com sha256:2', { requestsPerMinute: 5 }],
      ]),
      NOW,
    );
    expect([...plan.stretch.keys()].every((name) => name.startsWith('o'))).toBe(true);
    expect(plan.accounts[0]?.stretched).toBe(0);
    expect(plan.accounts[1]?.stretched).toBeGreaterThan(0);
    expect(plan.accounts[1]?.minute.planned).toBeLessThanOrEqual(5 * 0.9 + 0.01);
  });

  it('leaves a spent budget to the request gate: no infinite or missing factor', () => {
    const plan = planQuota(
      fleet(10, { quotaUnitsPerPoll: 1 }),
      new Map([
        ['github api.github.com sha256:1', { requestsPerMinute: 900, quotaUnitsPerHour: 0 }],
      ]),
      NOW,
    );
    expect(plan.stretch.size).toBe(0);
    for (const factor of plan.stretch.values()) expect(Number.isFinite(factor)).toBe(true);
    expect(plan.accounts[0]?.largestStretch).toBe(1);
  });
});
