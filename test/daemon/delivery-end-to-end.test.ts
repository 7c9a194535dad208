import { beforeEach, describe, expect, it } from 'vitest';
import type { BareRepo } from '../helpers/git-repo-factory.js';
import { pollNowAndWait } from '../helpers/poll-now.js';
import type { TestDaemon } from '../helpers/start-test-daemon.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { STORAGE_ENGINES } from '../storage/storage-engines.js';

const SECRET = 'e2e-shared-secret-4f1c';

describe.each(STORAGE_ENGINES)('a commit pushed to a watched repository (%s)', (engine) => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app'], engine });
  let repo: BareRepo;
  let receiver: WebhookReceiver;
  let daemon: TestDaemon | undefined;

  beforeEach(async () => {
    repo = env.repo('org/app');
    await repo.commit('main', 'first');
    receiver = env.receiver;
    daemon = undefined;
  });

  function config(
    overrides: { tekton?: Record<string, unknown>; repo?: Record<string, unknown> } = {},
  ): Record<string, unknown> {
    return {
      app: { log_level: 'debug' },
      polling: { interval: '1s', jitter: 0 },
      tekton: {
        event_listener_url: receiver.url,
        secret: SECRET,
        retry_backoff: '100ms',
        max_retry_backoff: '300ms',
        ...overrides.tekton,
      },
      repositories: [
        {
          name: 'app',
          url: repo.fileUrl,
          provider: 'git',
          branch_regex: '.*',
          tag_regex: '^v',
          ...overrides.repo,
        },
      ],
    };
  }

  // The shared helper waits out a poll already under way, which may have listed before a change.
  const pollNow = (): Promise<void> => pollNowAndWait(daemon!.daemon, 'app');

  it('is delivered exactly once, signed over the exact bytes, and recorded with its attempt', async () => {
    daemon = await env.start(config({ repo: { polling_interval: '1h' } }));
    await pollNow();
    expect(receiver.requests).toHaveLength(0);
    const sha = await repo.commit('main', 'second');
    await pollNow();
    await pollNow();
    await receiver.waitFor((r) => r.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.signatureValid).toBe(true);
    expect(request!.headers['x-github-event']).toBe('push');
    expect(request!.json).toMatchObject({ ref: 'refs/heads/main', after: sha });
    const events = await daemon.daemon.storage.events.list({ limit: 10 });
    expect(events.events).toHaveLength(1);
    const deliveries = await daemon.daemon.storage.deliveries.listForEvent(events.events[0]!.id);
    expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(deliveries[0]!.attemptLog[0]).toMatchObject({ statusCode: 200 });
    expect(daemon.logs.text()).not.toContain(SECRET);
  });

  it('reports branch creation and deletion and tag pushes', async () => {
    daemon = await env.start(config({ repo: { polling_interval: '1h' } }));
    await pollNow();
    await repo.createBranch('feature', 'main');
    await repo.tag('v1.0', 'main');
    await repo.tag('nightly', 'main');
    await pollNow();
    await repo.deleteBranch('feature');
    await pollNow();
    await receiver.waitFor((r) => r.length >= 3);
    const seen = receiver.requests.map((r) => [r.json.ref, r.json.created, r.json.deleted]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['refs/heads/feature', true, false],
        ['refs/tags/v1.0', true, false],
        ['refs/heads/feature', false, true],
      ]),
    );
    expect(receiver.requests).toHaveLength(3);
  });

  it('retries while the receiver is down and delivers once it is back, without duplicates', async () => {
    daemon = await env.start(
      config({ repo: { polling_interval: '1h' }, tekton: { retry_attempts: 50 } }),
    );
    await pollNow();
    await receiver.down();
    await repo.commit('main', 'during outage');
    await pollNow();
    const [event] = (await daemon.daemon.storage.events.list({ limit: 1 })).events;
    const attempts = async (): Promise<number> =>
      (await daemon!.daemon.storage.deliveries.listForEvent(event!.id))[0]!.attempts;
    for (let i = 0; i < 500 && (await attempts()) < 2; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    const during = (await daemon.daemon.storage.deliveries.listForEvent(event!.id))[0]!;
    expect(during.attempts).toBeGreaterThanOrEqual(2);
    expect(during.status).not.toBe('delivered');
    await receiver.reopen();
    await receiver.waitFor((r) => r.length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.deliveredIds()).toEqual([event!.id]);
    expect((await daemon.daemon.storage.deliveries.listForEvent(event!.id))[0]!.status).toBe(
      'delivered',
    );
  });

  it('marks a delivery the receiver rejects with 400 as failed without retrying it', async () => {
    receiver.respondWith(400);
    daemon = await env.start(config({ repo: { polling_interval: '1h' } }));
    await pollNow();
    await repo.commit('main', 'rejected');
    await pollNow();
    await receiver.waitFor((r) => r.length >= 1);
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.requests).toHaveLength(1);
    const [event] = (await daemon.daemon.storage.events.list({ limit: 1 })).events;
    expect((await daemon.daemon.storage.deliveries.listForEvent(event!.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 400,
    });
  });

  it('gives up after retry_attempts retries and keeps the delivery for redelivery', async () => {
    receiver.respondWith(503);
    daemon = await env.start(
      config({
        repo: { polling_interval: '1h' },
        tekton: { retry_attempts: 2, retry_backoff: '50ms', max_retry_backoff: '50ms' },
      }),
    );
    await pollNow();
    await repo.commit('main', 'unavailable');
    await pollNow();
    await receiver.waitFor((r) => r.length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests).toHaveLength(3);
    const [event] = (await daemon.daemon.storage.events.list({ limit: 1 })).events;
    expect((await daemon.daemon.storage.deliveries.listForEvent(event!.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
    });
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(receiver.requests.map((r) => r.headers['x-reposentry-delivery-attempt'])).toEqual([
      '1',
      '2',
      '3',
    ]);
  });
});
