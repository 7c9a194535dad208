import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { waitFor } from '../helpers/wait-for.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'listener-fault-secret';

describe('EventListener faults', () => {
  let factory: GitRepoFactory;
  let app: BareRepo;
  let other: BareRepo;
  let receiver: WebhookReceiver;
  let dataDir: string;
  let daemon: TestDaemon | undefined;

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    app = await factory.createBareRepo('app');
    other = await factory.createBareRepo('other');
    await app.commit('main', 'first');
    await other.commit('main', 'first');
    receiver = await createWebhookReceiver({ secret: SECRET });
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-listener-fault-'));
    daemon = await startTestDaemon({
      app: { data_dir: dataDir },
      polling: { interval: '1s', jitter: 0 },
      tekton: {
        event_listener_url: receiver.url,
        secret: SECRET,
        timeout: '300ms',
        retry_backoff: '100ms',
        // Above the 2 s Retry-After below: the cap bounds Retry-After too.
        max_retry_backoff: '3s',
        retry_attempts: 1000,
      },
      repositories: [
        { name: 'app', url: app.fileUrl, provider: 'git', branch_regex: '.*' },
        { name: 'other', url: other.fileUrl, provider: 'git', branch_regex: '.*' },
      ],
    });
    await waitFor(async () => {
      const { storage } = daemon!.daemon;
      const polls = await Promise.all(['app', 'other'].map((n) => storage.pollStates.get(n)));
      return polls.every(Boolean);
    });
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await receiver.close();
    await factory.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  const lastPollOf = async (name: string): Promise<number> =>
    (await daemon!.daemon.storage.pollStates.get(name))?.lastPollAt ?? 0;

  it('keeps polling through refused connections, 500s, 429s, timeouts and a hung listener, then delivers everything once', async () => {
    const shas: string[] = [];
    const faults: [string, () => Promise<void> | void, () => Promise<void> | void][] = [
      ['refused', () => receiver.down(), () => receiver.reopen()],
      ['500', () => receiver.respondWith(500), () => receiver.respondWith(200)],
      [
        '429',
        () => {
          receiver.respondWith(429);
          receiver.retryAfter(1);
        },
        () => {
          receiver.respondWith(200);
          receiver.retryAfter(undefined);
        },
      ],
      ['slow', () => receiver.delay(1_000), () => receiver.delay(0)],
      ['hung', () => receiver.hang(true), () => receiver.hang(false)],
    ];
    for (const [what, begin, end] of faults) {
      await begin();
      const before = await lastPollOf('other');
      const phase = [
        await app.commit('main', `during ${what}`),
        await other.commit('main', `during ${what}`),
      ];
      shas.push(...phase);
      // The other repository is polled on schedule meanwhile.
      await waitFor(async () => (await lastPollOf('other')) > before + 1_500, 10_000);
      const delivered = receiver.requests.filter(
        (r) => r.status < 300 && phase.includes(r.json.after as string),
      );
      if (what !== 'slow') expect(delivered, what).toEqual([]);
      await end();
    }
    await receiver.waitFor(
      (requests) =>
        shas.every((sha) => requests.some((r) => r.status < 300 && r.json.after === sha)),
      30_000,
    );
    // Each change was recorded once; 'slow' answers arrive after the timeout, so the event may have
    // been received more than once, but with the same id.
    const events = (await daemon!.daemon.storage.events.list({ limit: 100 })).events;
    expect(events.map((e) => e.after).sort()).toEqual([...shas].sort());
    await waitFor(
      async () =>
        (await daemon!.daemon.storage.deliveries.countByStatus()).delivered === shas.length,
    );
    expect(receiver.requests.every((r) => r.signatureValid === true)).toBe(true);
  }, 90_000);

  it('waits at least Retry-After before trying again after a 429', async () => {
    receiver.respondWith(429);
    receiver.retryAfter(2);
    const sha = await app.commit('main', 'throttled');
    await receiver.waitFor((requests) => requests.some((r) => r.json.after === sha));
    const firstAt = Date.now();
    receiver.respondWith(200);
    receiver.retryAfter(undefined);
    await receiver.waitFor(
      (requests) => requests.some((r) => r.json.after === sha && r.status === 200),
      10_000,
    );
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(1_500);
    // The receiver has answered; the attempt is recorded right after.
    await waitFor(
      async () => (await daemon!.daemon.storage.deliveries.countByStatus()).delivered === 1,
    );
    const [event] = (await daemon!.daemon.storage.events.list({ limit: 1 })).events;
    const [delivery] = await daemon!.daemon.storage.deliveries.listForEvent(event!.id);
    const log = delivery!.attemptLog;
    expect(log[0]?.statusCode).toBe(429);
    expect(log.at(-1)?.statusCode).toBe(200);
    expect((log[1]?.startedAt ?? 0) - (log[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(1_900);
  }, 30_000);
});
