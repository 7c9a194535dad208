import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PollReport } from '../../src/poller/poll-report.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { createGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * Four GitHub repositories whose API answers 502 (and whose ls-remote fallback finds nothing),
 * one whose API never answers, and one healthy repository, with two poll workers: the healthy
 * one keeps its schedule and its commit is delivered, while the broken ones back off.
 */
describe('a repository that keeps failing', () => {
  let factory: GitRepoFactory;
  let good: BareRepo;
  let git: GitHttpServer;
  let failing: FakeGithub;
  let hanging: FakeGithub;
  let receiver: WebhookReceiver;
  let dataDir: string;
  let daemon: TestDaemon | undefined;

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    good = await factory.createBareRepo('org/good');
    await good.commit('main', 'first');
    git = await createGitHttpServer({ root: factory.root });
    failing = await createFakeGithub();
    failing.fault({ kind: 'status', status: 502 });
    hanging = await createFakeGithub();
    hanging.fault({ kind: 'hang' });
    receiver = await createWebhookReceiver({ secret: 'isolation-secret' });
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-isolation-'));
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await Promise.all([receiver.close(), failing.close(), hanging.close(), git.close()]);
    await factory.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('does not slow the others', async () => {
    const polls = new Map<string, PollReport[]>();
    const goodPolledAt: number[] = [];
    const onPoll = (report: PollReport): void => {
      polls.set(report.repository, [...(polls.get(report.repository) ?? []), report]);
      if (report.repository === 'good') goodPolledAt.push(Date.now());
    };
    const broken = (name: string, api: FakeGithub) => ({
      name,
      url: git.urlFor(`org/${name}.git`),
      provider: 'github',
      api_base_url: api.url,
    });
    daemon = await startTestDaemon(
      {
        app: { data_dir: dataDir },
        polling: { interval: '1s', jitter: 0, timeout: '2s', max_workers: 2 },
        tekton: { event_listener_url: receiver.url, secret: 'isolation-secret' },
        repositories: [
          // First, so its baseline is not queued behind the broken ones at start-up.
          { name: 'good', url: good.fileUrl, provider: 'git', branch_regex: '.*' },
          ...['f1', 'f2', 'f3', 'f4'].map((name) => broken(name, failing)),
          broken('stuck', hanging),
        ],
      },
      {},
      { onPoll },
    );
    const waitUntil = async (what: string, check: () => boolean, ms: number): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitUntil('the baseline of good', () => (polls.get('good') ?? []).length >= 1, 8_000);
    const sha = await good.commit('main', 'second');
    await receiver.waitFor((requests) => requests.length >= 1, 5_000);
    expect(receiver.requests[0]?.json.after).toBe(sha);
    expect(receiver.requests[0]?.signatureValid).toBe(true);

    await waitUntil('five polls of good', () => (polls.get('good') ?? []).length >= 5, 10_000);
    const goodPolls = polls.get('good') ?? [];
    expect(goodPolls.every((report) => report.ok)).toBe(true);
    for (const name of ['f1', 'f2', 'f3', 'f4']) {
      const reports = polls.get(name) ?? [];
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports.every((report) => !report.ok)).toBe(true);
      // Backed off: polled less often than the healthy repository on the same interval.
      expect(reports.length).toBeLessThan(goodPolls.length);
    }
    // The hung API holds one worker until polling.timeout; the other keeps good on its 1 s
    // schedule (a gap of 2 s or more would mean it waited for the hung poll).
    const gaps = goodPolledAt.slice(1).map((at, i) => at - (goodPolledAt[i] ?? at));
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
    expect(median).toBeLessThan(2_000);
    for (const report of polls.get('stuck') ?? []) {
      expect(report).toMatchObject({ ok: false });
    }
  }, 30_000);
});
