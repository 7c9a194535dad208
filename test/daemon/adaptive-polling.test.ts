import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PollReport } from '../../src/poller/poll-report.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { waitFor } from '../helpers/wait-for.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

interface RepositoryJson {
  readonly pollingIntervalSeconds: number;
  readonly currentIntervalSeconds: number;
  readonly intervalReason: string;
  readonly activeAt: string | null;
}

/**
 * Adaptive polling in the daemon: the last activity is stored, so a repository idle for an
 * hour before a restart is polled at max_interval after it, the API says so, and a poll-now
 * snaps it back to its own interval.
 */
describe('adaptive polling', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let receiver: WebhookReceiver;
  let dataDir: string;
  let daemon: TestDaemon | undefined;
  const polls: number[] = [];

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('org/app');
    await repo.commit('main', 'first');
    receiver = await createWebhookReceiver();
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-adaptive-'));
    polls.length = 0;
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await receiver.close();
    await factory.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (): Promise<TestDaemon> =>
    startTestDaemon(
      {
        app: { data_dir: dataDir },
        api: { auth_token: 'adaptive-token' },
        polling: { interval: '1s', jitter: 0, adaptive: { enabled: true, max_interval: '3s' } },
        tekton: { event_listener_url: receiver.url },
        repositories: [{ name: 'app', url: repo.fileUrl, provider: 'git' }],
      },
      {},
      { onPoll: (report: PollReport) => void (report.ok && polls.push(Date.now())) },
    );

  const view = async (): Promise<RepositoryJson> => {
    const response = await fetch(`${daemon?.baseUrl}/api/v1/repositories/app`);
    return (await response.json()) as RepositoryJson;
  };

  it('keeps an idle repository stretched across a restart and snaps back on a poll-now', async () => {
    daemon = await start();
    await waitFor(() => polls.length >= 1, 10_000, 'the first poll');
    const first = await view();
    expect(first).toMatchObject({ currentIntervalSeconds: 1, intervalReason: 'configured' });
    expect(first.activeAt).not.toBeNull();
    await daemon.stop();
    daemon = undefined;

    // As if nothing had changed for an hour before the restart.
    const hourAgo = Date.now() - 3_600_000;
    const db = new Database(path.join(dataDir, 'reposentry.db'));
    db.prepare('UPDATE poll_state SET active_at = ?').run(hourAgo);
    db.close();

    polls.length = 0;
    daemon = await start();
    await waitFor(() => polls.length >= 3, 15_000, 'three polls after the restart');
    const gaps = polls.slice(1).map((t, i) => t - (polls[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThan(2_500);
    expect(await view()).toMatchObject({
      currentIntervalSeconds: 3,
      intervalReason: 'idle',
      activeAt: new Date(hourAgo).toISOString(),
    });

    const asked = await fetch(`${daemon.baseUrl}/api/v1/repositories/app/poll`, {
      method: 'POST',
      headers: { authorization: 'Bearer adaptive-token' },
    });
    expect(asked.status).toBe(202);
    await waitFor(
      async () => (await view()).intervalReason === 'configured',
      5_000,
      'the interval snapped back',
    );
    const snapped = polls.length;
    await waitFor(() => polls.length >= snapped + 2, 5_000, 'polls every second again');
    expect((polls.at(-1) ?? 0) - (polls.at(-2) ?? 0)).toBeLessThan(2_000);
  });
});
