import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab.js';
import type { FakeMergeRequest } from '../helpers/gitlab-merge-request-api.js';
import type { BareRepo } from '../helpers/git-repo-factory.js';
import { pollNowAndWait } from '../helpers/poll-now.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';

const SECRET = 'merge-requests-secret-5a8b';
const TOKEN = 'glpat-mergeRequestsToken0123456789';

describe('merge requests of a GitLab project', () => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['group/app'] });
  let gitlab: FakeGitlab;
  let repo: BareRepo;

  beforeAll(async () => {
    gitlab = await createFakeGitlab({ token: TOKEN });
  });
  afterAll(async () => {
    await gitlab.close();
  });
  beforeEach(async () => {
    repo = env.repo('group/app');
    await repo.commit('main', 'first');
    gitlab.setProject('group/app', await repo.refs());
    gitlab.setMergeRequests('group/app', []);
  });

  const mr = (
    iid: number,
    sha: string,
    extra: Partial<FakeMergeRequest> = {},
  ): FakeMergeRequest => ({
    iid,
    state: 'opened',
    sourceBranch: `feature/${iid}`,
    sha,
    updatedAt: new Date(),
    title: `Change ${iid}`,
    ...extra,
  });

  it('delivers open, update and merge as Merge Request Hooks, asking only for what changed', async () => {
    const { daemon } = await env.start(
      {
        polling: { interval: '1h', jitter: 0, enable_api_fallback: false },
        tekton: { event_listener_url: env.receiver.url, secret: SECRET, retry_backoff: '100ms' },
        repositories: [
          {
            name: 'app',
            url: `${gitlab.url}/group/app`,
            provider: 'gitlab',
            token: '${GITLAB_TOKEN}',
            branch_regex: '^main$',
            pull_requests: true,
          },
        ],
      },
      { GITLAB_TOKEN: TOKEN },
    );
    await pollNowAndWait(daemon, 'app');
    const head = await repo.commit('feature/1', 'work', { from: 'main' });
    gitlab.setMergeRequest('group/app', mr(1, head));
    await pollNowAndWait(daemon, 'app');
    const moved = await repo.commit('feature/1', 'more');
    gitlab.setMergeRequest('group/app', mr(1, moved));
    await pollNowAndWait(daemon, 'app');
    gitlab.setMergeRequest('group/app', mr(1, moved, { state: 'merged' }));
    await pollNowAndWait(daemon, 'app');
    await env.receiver.waitFor((r) => r.length >= 3);
    expect(
      env.receiver.requests.map((r) => {
        const body = r.json as {
          object_kind: string;
          object_attributes: { iid: number; action: string; last_commit: { id: string } };
        };
        expect(r.headers['x-gitlab-event']).toBe('Merge Request Hook');
        expect(r.headers['x-gitlab-token']).toBe(SECRET);
        return [
          body.object_attributes.iid,
          body.object_attributes.action,
          body.object_attributes.last_commit.id,
        ];
      }),
    ).toEqual([
      [1, 'open', head],
      [1, 'update', moved],
      [1, 'merge', moved],
    ]);
    // After the first look, each poll asks for the requests updated since the last one.
    const listings = gitlab.requests
      .map((r) => r.path)
      .filter((path) => path.includes('/merge_requests'));
    expect(listings[0]).toContain('state=opened');
    expect(listings.slice(1).every((path) => path.includes('updated_after='))).toBe(true);
  });
});
