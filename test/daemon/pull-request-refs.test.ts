import { beforeEach, describe, expect, it } from 'vitest';
import type { BareRepo } from '../helpers/git-repo-factory.js';
import { pollNowAndWait } from '../helpers/poll-now.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';

const SECRET = 'pull-request-refs-secret-7e1f';

describe('pull requests of a plain git remote, read from their refs', () => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app'] });
  let repo: BareRepo;

  beforeEach(async () => {
    repo = env.repo('org/app');
    await repo.commit('main', 'first');
  });

  it('delivers opened and updated with the head alone, and never closed', async () => {
    const old = await repo.commit('old', 'an old request', { from: 'main' });
    await repo.git(['update-ref', 'refs/pull/1/head', old]);
    const { daemon } = await env.start({
      polling: { interval: '1h', jitter: 0 },
      tekton: { event_listener_url: env.receiver.url, secret: SECRET, retry_backoff: '100ms' },
      repositories: [
        {
          name: 'app',
          url: repo.fileUrl,
          provider: 'git',
          branch_regex: '^main$',
          pull_requests: { include_forks: true },
        },
      ],
    });
    await pollNowAndWait(daemon, 'app');
    // The first look records request 1 silently.
    expect(env.receiver.requests).toHaveLength(0);

    const head = await repo.commit('feature', 'work', { from: 'main' });
    await repo.git(['update-ref', 'refs/pull/2/head', head]);
    await pollNowAndWait(daemon, 'app');
    const moved = await repo.commit('feature', 'more work');
    await repo.git(['update-ref', 'refs/pull/2/head', moved]);
    await pollNowAndWait(daemon, 'app');
    await repo.git(['update-ref', '-d', 'refs/pull/1/head']);
    await pollNowAndWait(daemon, 'app');
    await env.receiver.waitFor((r) => r.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(
      env.receiver.requests.map((r) => {
        const body = r.json as {
          action: string;
          number: number;
          pull_request: { title: string; head: { sha: string } };
        };
        return [body.number, body.action, body.pull_request.head.sha, body.pull_request.title];
      }),
    ).toEqual([
      [2, 'opened', head, ''],
      [2, 'synchronize', moved, ''],
    ]);
    const [latest] = (await daemon.storage.events.list({ limit: 1 })).events;
    expect(latest?.pullRequest).toEqual({
      number: 2,
      state: 'open',
      known: 'ref',
      head: { sha: moved },
    });
  });
});
