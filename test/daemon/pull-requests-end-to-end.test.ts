import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGithub, type FakeGithub, type FakePull } from '../helpers/fake-github.js';
import type { BareRepo } from '../helpers/git-repo-factory.js';
import { pollNowAndWait } from '../helpers/poll-now.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';
import { STORAGE_ENGINES } from '../storage/storage-engines.js';

const SECRET = 'pull-requests-secret-2c4d';
const TOKEN = 'ghp_pullRequestsToken0123456789abcdef';

describe.each(STORAGE_ENGINES)('pull requests of a GitHub repository (%s)', (engine) => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app'], engine });
  let github: FakeGithub;
  let repo: BareRepo;

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(async () => {
    repo = env.repo('org/app');
    await repo.commit('main', 'first');
    github.setGitDir('org/app', repo.path);
    github.setRepo('org/app', await repo.refs());
    for (const number of [1, 2, 3, 4]) github.deletePull('org/app', number);
  });

  const start = () =>
    env.start(
      {
        polling: { interval: '1h', jitter: 0, enable_api_fallback: false },
        tekton: {
          event_listener_url: env.receiver.url,
          secret: SECRET,
          retry_backoff: '100ms',
          max_retry_backoff: '300ms',
        },
        repositories: [
          {
            name: 'app',
            url: 'http://127.0.0.1:9/org/app',
            provider: 'github',
            api_base_url: github.url,
            token: '${GITHUB_TOKEN}',
            branch_regex: '^main$',
            pull_requests: { target_branch_regex: '^main$', include_drafts: false },
          },
        ],
      },
      { GITHUB_TOKEN: TOKEN },
    );
  const pull = (number: number, headSha: string, extra: Partial<FakePull> = {}): FakePull => ({
    number,
    state: 'open',
    title: `Change ${number}`,
    headRef: `feature/${number}`,
    headSha,
    baseRef: 'main',
    user: 'dev',
    ...extra,
  });

  it('delivers opened, synchronize and closed-merged in order per request, each once, filtered as configured', async () => {
    const main = await repo.resolve('main');
    github.setPull('org/app', pull(1, main));
    const { daemon } = await start();
    await pollNowAndWait(daemon, 'app');
    // The first look is a silent baseline.
    expect(env.receiver.requests).toHaveLength(0);

    const head = await repo.commit('feature/2', 'work', { from: 'main' });
    github.setPull('org/app', pull(2, head));
    github.setPull('org/app', pull(3, head, { draft: true }));
    github.setPull('org/app', pull(4, head, { baseRef: 'release/1' }));
    await pollNowAndWait(daemon, 'app');
    const moved = await repo.commit('feature/2', 'more work');
    github.setPull('org/app', pull(2, moved));
    await pollNowAndWait(daemon, 'app');
    github.setPull('org/app', pull(2, moved, { state: 'closed', merged: true }));
    github.setPull('org/app', pull(1, main, { state: 'closed' }));
    await pollNowAndWait(daemon, 'app');
    await env.receiver.waitFor((r) => r.length >= 4);
    await new Promise((r) => setTimeout(r, 300));

    const seen = env.receiver.requests.map((r) => {
      const body = r.json as {
        action: string;
        number: number;
        pull_request: {
          head: { sha: string; ref: string };
          base: { ref: string };
          merged: boolean;
        };
        repository: { clone_url: string };
      };
      expect(r.signatureValid).toBe(true);
      expect(r.headers['x-github-event']).toBe('pull_request');
      return [body.number, body.action, body.pull_request.head.sha, body.pull_request.merged];
    });
    expect(seen.filter(([n]) => n === 2)).toEqual([
      [2, 'opened', head, false],
      [2, 'synchronize', moved, false],
      [2, 'closed', moved, true],
    ]);
    expect(seen.filter(([n]) => n === 1)).toEqual([[1, 'closed', main, false]]);
    expect(env.receiver.requests).toHaveLength(4);
    const opened = env.receiver.requests[0]!.json;
    expect(opened['pull_request']).toMatchObject({
      title: 'Change 2',
      user: { login: 'dev' },
      head: { ref: 'feature/2', repo: { full_name: 'org/app' } },
      base: { ref: 'main' },
    });

    const merged = await daemon.storage.events.list({ type: 'pull_request.merged', limit: 10 });
    expect(merged.events.map((e) => [e.ref, e.pullRequest?.number, e.pullRequest?.state])).toEqual([
      ['refs/pull/2/head', 2, 'merged'],
    ]);
  });

  it('reports a request reopened after it was closed, as a new event', async () => {
    const main = await repo.resolve('main');
    const { daemon } = await start();
    await pollNowAndWait(daemon, 'app');
    github.setPull('org/app', pull(1, main));
    await pollNowAndWait(daemon, 'app');
    github.setPull('org/app', pull(1, main, { state: 'closed' }));
    await pollNowAndWait(daemon, 'app');
    github.setPull('org/app', pull(1, main));
    await pollNowAndWait(daemon, 'app');
    await env.receiver.waitFor((r) => r.length >= 3);
    expect(env.receiver.requests.map((r) => (r.json as { action: string }).action)).toEqual([
      'opened',
      'closed',
      'reopened',
    ]);
    expect(new Set(env.receiver.requests.map((r) => r.eventId)).size).toBe(3);
  });
});
