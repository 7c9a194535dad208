import { describe, expect, it } from 'vitest';
import { budgetOf } from './quota-governor.js';

const NOW = 1_700_000_000_000;
const github = { provider: 'github', host: 'api.github.com', account: 'sha256:12345678' } as const;
const config = {
  rateLimit: {
    github: { requestsPerHour: 4000, requestsPerMinute: 900, burst: 10 },
    gitlab: { requestsPerSecond: 8, burst: 10 },
  },
};
const snapshot = (limit: number, remaining: number, resetInMs: number) => ({
  ...github,
  limit,
  remaining,
  resetAt: new Date(NOW + resetInMs),
});

describe('budgetOf', () => {
  it('is the configured budget while the host says nothing', () => {
    expect(budgetOf(github, config, undefined, 1, NOW)).toEqual({
      requestsPerMinute: 900,
      quotaUnitsPerHour: 4000,
    });
  });

  it("follows the host's own limit and spreads what is left of its quota until the reset", () => {
    expect(budgetOf(github, config, snapshot(60, 60, 3_600_000), 1, NOW).quotaUnitsPerHour).toBe(
      60,
    );
    // 100 left for the next 30 minutes: 200 an hour.
    expect(budgetOf(github, config, snapshot(5000, 100, 1_800_000), 1, NOW).quotaUnitsPerHour).toBe(
      200,
    );
    // A reset a moment away is spread over a minute at least.
    expect(budgetOf(github, config, snapshot(5000, 10, 1_000), 1, NOW).quotaUnitsPerHour).toBe(600);
  });

  it('gives a replica its share, and GitLab its per-second rate', () => {
    expect(budgetOf(github, config, undefined, 0.25, NOW)).toEqual({
      requestsPerMinute: 225,
      quotaUnitsPerHour: 1000,
    });
    expect(budgetOf({ ...github, provider: 'gitlab' }, config, undefined, 1, NOW)).toEqual({
      requestsPerMinute: 480,
    });
  });
});
