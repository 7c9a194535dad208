import { describe, expect, it } from 'vitest';
import { pollNowAndWait } from '../helpers/poll-now.js';
import type { TestDaemon } from '../helpers/start-test-daemon.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';
import { STORAGE_ENGINES } from '../storage/storage-engines.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'repeat-secret-9d2e';

/** What the EventListener saw, in arrival order: `ref before..after`, short shas. */
function seen(receiver: WebhookReceiver): string[] {
  return receiver.requests.map((r) => {
    const { ref, before, after } = r.json as { ref: string; before: string; after: string };
    return `${ref} ${before.slice(0, 7)}..${after.slice(0, 7)}`;
  });
}

describe.each(STORAGE_ENGINES)('a transition that really happens again (%s)', (engine) => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app'], engine });

  function start(): Promise<TestDaemon> {
    return env.start({
      // Polls happen when the test asks for them (the first one, the baseline, at start).
      polling: { interval: '1h', jitter: 0 },
      tekton: { event_listener_url: env.receiver.url, secret: SECRET, retry_backoff: '100ms' },
      repositories: [
        {
          name: 'app',
          url: env.repo('org/app').fileUrl,
          provider: 'git',
          branch_regex: '.*',
          tag_regex: '.*',
        },
      ],
    });
  }

  const short = (sha: string): string => sha.slice(0, 7);
  const ZERO = '0000000';

  it('is delivered each time: A->B->A->B, a tag deleted and pushed again, a branch re-created', async () => {
    const repo = env.repo('org/app');
    const receiver = env.receiver;
    const a = await repo.commit('main', 'a');
    const b = await repo.commit('main', 'b');
    await repo.forcePush('main', a);
    const { daemon: d } = await start();
    const poll = (): Promise<void> => pollNowAndWait(d, 'app');
    await poll(); // the baseline (main at A) may still be the start-up poll: poll once more

    await repo.forcePush('main', b);
    await poll();
    await repo.forcePush('main', a);
    await poll();
    await repo.forcePush('main', b);
    await poll();

    await repo.tag('v1', 'main');
    await poll();
    await repo.deleteTag('v1');
    await poll();
    await repo.tag('v1', 'main');
    await poll();
    await repo.deleteTag('v1');
    await poll();
    await repo.tag('v1', 'main');
    await poll();

    await repo.createBranch('feature', a);
    await poll();
    await repo.deleteBranch('feature');
    await poll();
    await repo.createBranch('feature', a);
    await poll();

    const expected = [
      `refs/heads/main ${short(a)}..${short(b)}`,
      `refs/heads/main ${short(b)}..${short(a)}`,
      `refs/heads/main ${short(a)}..${short(b)}`,
      `refs/tags/v1 ${ZERO}..${short(b)}`,
      `refs/tags/v1 ${short(b)}..${ZERO}`,
      `refs/tags/v1 ${ZERO}..${short(b)}`,
      `refs/tags/v1 ${short(b)}..${ZERO}`,
      `refs/tags/v1 ${ZERO}..${short(b)}`,
      `refs/heads/feature ${ZERO}..${short(a)}`,
      `refs/heads/feature ${short(a)}..${ZERO}`,
      `refs/heads/feature ${ZERO}..${short(a)}`,
    ];
    await receiver.waitFor((requests) => requests.length >= expected.length);
    expect(seen(receiver)).toEqual(expected);
    const ids = receiver.requests.map((r) => r.eventId);
    expect(new Set(ids).size).toBe(expected.length);
    expect((await d.storage.events.list({ limit: 100 })).events).toHaveLength(expected.length);
    const api = await fetch(`${env.daemon!.baseUrl}/api/v1/events?ref=refs%2Fheads%2Fmain`);
    const { events } = (await api.json()) as { events: { transition: number }[] };
    expect(events.map((e) => e.transition)).toEqual([3, 2, 1]);
  });

  it('gives the same observation replayed after a restart the same single event', async () => {
    const repo = env.repo('org/app');
    const receiver = env.receiver;
    const a = await repo.commit('main', 'a');
    let { daemon: d } = await start();
    await pollNowAndWait(d, 'app');
    const b = await repo.commit('main', 'b');
    await pollNowAndWait(d, 'app');
    await receiver.waitFor((requests) => requests.length >= 1);
    await env.stop();

    // The same state polled again by a new process: nothing new happened, nothing is sent.
    ({ daemon: d } = await start());
    await pollNowAndWait(d, 'app');
    await repo.forcePush('main', a);
    await pollNowAndWait(d, 'app');
    await repo.forcePush('main', b);
    await pollNowAndWait(d, 'app');
    await receiver.waitFor((requests) => requests.length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen(receiver)).toEqual([
      `refs/heads/main ${short(a)}..${short(b)}`,
      `refs/heads/main ${short(b)}..${short(a)}`,
      `refs/heads/main ${short(a)}..${short(b)}`,
    ]);
  });
});
