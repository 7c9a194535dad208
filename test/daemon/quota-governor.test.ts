import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PollReport } from '../../src/poller/poll-report.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const TOKEN = 'ghp_quotaGovernorToken0123456789';
const SHA1 = 'd'.repeat(40);
const SHA2 = 'e'.repeat(40);
const NAMES = ['r1', 'r2', 'r3', 'r4', 'r5'];

interface QuotaJson {
  readonly stretched: number;
  readonly minute: { demand: number; planned: number; budget: number | null };
}

/**
 * Five repositories polled every second on a token allowed 120 requests a minute (5 back to
 * back): 300 a minute would be asked for. The quota governor stretches their intervals before
 * the request budget runs dry, so no poll ever waits for it or is refused, and a change is
 * still found by the stretched schedule.
 */
describe('the quota governor', () => {
  let github: FakeGithub;
  let receiver: WebhookReceiver;
  let dataDir: string;
  let daemon: TestDaemon | undefined;

  beforeEach(async () => {
    github = await createFakeGithub({ token: TOKEN });
    for (const name of NAMES) {
      github.setRepo(`org/${name}`, { branches: new Map([['main', SHA1]]), tags: new Map() });
    }
    receiver = await createWebhookReceiver();
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-governor-'));
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await Promise.all([github.close(), receiver.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stretches intervals to the request budget instead of waiting for it, and still finds changes', async () => {
    const reports: PollReport[] = [];
    daemon = await startTestDaemon(
      {
        app: { data_dir: dataDir },
        polling: { interval: '1s', jitter: 0 },
        rate_limit: { github: { requests_per_minute: 120, burst: 5 } },
        // The commit details a delivery reads are paced by the buckets alone: left out here.
        tekton: { event_listener_url: receiver.url, commit_details: false },
        repositories: NAMES.map((name) => ({
          name,
          url: `${github.url}/org/${name}.git`,
          provider: 'github',
          api_base_url: github.url,
          token: TOKEN,
        })),
      },
      {},
      { onPoll: (report) => reports.push(report) },
    );
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    github.setBranch('org/r3', 'main', SHA2);
    await receiver.waitFor((requests) => requests.length === 1, 12_000);
    expect(receiver.requests[0]?.json).toMatchObject({ after: SHA2 });

    const status = (await (await fetch(`${daemon.baseUrl}/api/v1/status`)).json()) as {
      quota: QuotaJson[];
    };
    expect(status.quota).toHaveLength(1);
    const quota = status.quota[0];
    expect(quota?.stretched).toBeGreaterThan(0);
    expect(quota?.minute.budget).toBe(120);
    expect(quota?.minute.demand).toBeGreaterThan(120);
    expect(quota?.minute.planned).toBeLessThanOrEqual(120 * 0.9 + 0.01);
    const repositories = (await (await fetch(`${daemon.baseUrl}/api/v1/repositories`)).json()) as {
      repositories: { intervalReason: string; currentIntervalSeconds: number }[];
    };
    expect(repositories.repositories.some((r) => r.intervalReason === 'quota')).toBe(true);
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /reposentry_quota_stretched_repositories\{[^}]*provider="github"[^}]*\} [1-5]/,
    );

    // No poll waited for the request budget, failed, or met a refusal from the host.
    const waits = daemon.logs
      .entries()
      .filter((entry) => entry['message'] === 'Waiting for request budget');
    expect(waits).toEqual([]);
    expect(reports.filter((r) => !r.ok)).toEqual([]);
    expect(github.stats.byStatus[403] ?? 0).toBe(0);
    expect(github.stats.byStatus[429] ?? 0).toBe(0);
  });
});
