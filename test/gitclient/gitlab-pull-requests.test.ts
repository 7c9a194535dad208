import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GIT_CLIENT_FACTORIES } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import type { ProviderClient } from '../../src/gitclient/provider-client.js';
import type { ListPullRequestsOptions } from '../../src/gitclient/pull-request-listing.js';
import { createCaptureLogger, type CapturedLogger } from '../helpers/capture-logger.js';
import { createFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab.js';
import type { FakeMergeRequest } from '../helpers/gitlab-merge-request-api.js';
import { clientConfig, rejectionOf, repoConfig } from './fixtures.js';

const TOKEN = 'glpat-fakeGitlabToken0123456789';
const PROJECT = 'group/sub/app';
const ENCODED = encodeURIComponent(PROJECT);
/** When the project's requests were last touched, and a later moment a poll looked. */
const QUIET_SINCE = Date.UTC(2024, 5, 1);
const LATER = QUIET_SINCE + 3_600_000;

const sha = (n: number, digit = 'a'): string =>
  `${n.toString(16).padStart(8, '0')}${digit.repeat(32)}`;
const opened = (iid: number, extra: Partial<FakeMergeRequest> = {}): FakeMergeRequest => ({
  iid,
  state: 'opened',
  sourceBranch: `feature-${iid}`,
  sha: sha(iid),
  updatedAt: new Date(QUIET_SINCE - 60_000),
  ...extra,
});

describe('GitLab merge requests (listPullRequests) against the loopback GitLab', () => {
  let gitlab: FakeGitlab;
  let projectId: number;
  let forkId: number;

  beforeAll(async () => {
    gitlab = await createFakeGitlab({ token: TOKEN });
    projectId = gitlab.setProject(PROJECT, new Map([['refs/heads/main', sha(0)]]));
    forkId = gitlab.setProject('someone/app', new Map([['refs/heads/main', sha(0)]]));
  });
  afterEach(() => {
    gitlab.fault(undefined);
    gitlab.setMergeRequests(PROJECT, []);
    gitlab.resetStats();
  });
  afterAll(async () => {
    await gitlab.close();
  });

  /** A fresh client (no project ids or forks known yet) and its log. */
  function client(): { gl: ProviderClient; capture: CapturedLogger } {
    const capture = createCaptureLogger();
    const gl = GIT_CLIENT_FACTORIES.gitlab({
      config: clientConfig(),
      log: capture.log,
      httpCache: new MemoryHttpCache(),
    });
    return { gl, capture };
  }
  const app = () =>
    repoConfig({ url: `${gitlab.url}/${PROJECT}.git`, provider: 'gitlab', token: TOKEN });
  const look = (gl: ProviderClient, since?: number) => {
    const options: ListPullRequestsOptions = {
      signal: new AbortController().signal,
      knownOpen: new Set(),
      ...(since === undefined ? {} : { since }),
    };
    if (!gl.listPullRequests) throw new Error('the GitLab client lists no merge requests');
    return gl.listPullRequests(app(), options);
  };
  const mergeRequestPaths = () =>
    gitlab.requests.map((r) => r.path).filter((path) => path.includes('/merge_requests'));

  it('lists every open request on a first look, over every page, and no closed ones', async () => {
    const open = Array.from({ length: 150 }, (_, i) => opened(i + 1));
    gitlab.setMergeRequests(PROJECT, [
      ...open,
      opened(151, { state: 'closed' }),
      opened(152, { state: 'merged' }),
    ]);
    const { gl } = client();

    const listing = await look(gl);

    expect([...listing.open.keys()].sort((a, b) => a - b)).toEqual(open.map((mr) => mr.iid));
    expect(listing.closed.size).toBe(0);
    expect(listing.complete).toBe(true);
    expect(listing.via).toBe('api');
    expect(mergeRequestPaths()).toEqual([
      `/api/v4/projects/${projectId}/merge_requests?state=opened&per_page=100&page=1`,
      `/api/v4/projects/${projectId}/merge_requests?state=opened&per_page=100&page=2`,
    ]);
    // The project's id is looked up once, then both pages.
    expect(listing.cost).toEqual({ requests: 3, quotaUnits: 3, notModified: 0 });
    expect(listing.open.get(7)).toEqual({
      number: 7,
      state: 'open',
      known: 'api',
      title: 'Change 7',
      draft: false,
      url: `${gitlab.url}/${PROJECT}/-/merge_requests/7`,
      author: 'dev',
      head: {
        sha: sha(7),
        ref: 'feature-7',
        repository: PROJECT,
        cloneUrl: `${gitlab.url}/${PROJECT}.git`,
      },
      base: { ref: 'main' },
      fork: false,
    });
  });

  it('lists only what changed since the last look, each with its state, as not complete', async () => {
    const since = LATER;
    gitlab.setMergeRequests(PROJECT, [
      opened(1),
      opened(2, { state: 'closed' }),
      opened(3, { state: 'merged', updatedAt: new Date(since + 5_000), mergeCommitSha: sha(99) }),
      opened(4, { state: 'closed', updatedAt: new Date(since + 6_000) }),
      opened(5, { updatedAt: new Date(since + 7_000), sha: sha(5, 'b') }),
      // Updated at the very moment of the last look: GitLab lists it (on or after). Locked is a
      // merge under way: still open until GitLab says merged.
      opened(6, { state: 'locked', updatedAt: new Date(since) }),
    ]);
    const { gl } = client();

    const listing = await look(gl, since);

    expect(listing.complete).toBe(false);
    expect([...listing.open.keys()].sort()).toEqual([5, 6]);
    expect(listing.open.get(5)?.head.sha).toBe(sha(5, 'b'));
    expect(
      [...listing.closed.values()].map((f) => [f.number, f.state]).sort((a, b) => +a[0]! - +b[0]!),
    ).toEqual([
      [3, 'merged'],
      [4, 'closed'],
    ]);
    const updatedAfter = encodeURIComponent(new Date(since).toISOString());
    expect(mergeRequestPaths()).toEqual([
      `/api/v4/projects/${projectId}/merge_requests?updated_after=${updatedAfter}&state=all&per_page=100&page=1`,
    ]);
  });

  it('costs one request for a quiet project once its id is known', async () => {
    gitlab.setMergeRequests(PROJECT, [opened(1), opened(2, { state: 'merged' })]);
    const { gl } = client();
    await look(gl);
    gitlab.resetStats();

    const listing = await look(gl, LATER);

    expect(listing.open.size + listing.closed.size).toBe(0);
    expect(listing.cost.requests).toBe(1);
    expect(gitlab.requests).toHaveLength(1);
  });

  it("gives a fork's request the fork's path and clone URL from one lookup, kept for the next look", async () => {
    gitlab.setMergeRequests(PROJECT, [
      opened(1, { sourceProjectId: forkId, draft: true }),
      opened(2, { sourceProjectId: forkId, sourceBranch: 'main' }),
      // A source branch without commits of its own has no head sha yet: not a request to watch.
      opened(3, { sha: null }),
    ]);
    const { gl } = client();

    const first = await look(gl);

    expect([...first.open.keys()].sort()).toEqual([1, 2]);
    expect(first.open.get(1)).toMatchObject({
      draft: true,
      title: 'Draft: Change 1',
      fork: true,
      head: {
        sha: sha(1),
        ref: 'feature-1',
        repository: 'someone/app',
        cloneUrl: `${gitlab.url}/someone/app.git`,
      },
      base: { ref: 'main' },
    });
    expect(first.open.get(2)?.head).toMatchObject({ ref: 'main', repository: 'someone/app' });
    const forkLookups = () =>
      gitlab.requests.filter((r) => r.path === `/api/v4/projects/${forkId}`).length;
    expect(forkLookups()).toBe(1);

    gitlab.resetStats();
    gitlab.setMergeRequest(
      PROJECT,
      opened(1, { sourceProjectId: forkId, sha: sha(1, 'c'), updatedAt: new Date(LATER + 1) }),
    );
    const second = await look(gl, LATER);

    expect(second.open.get(1)?.head).toEqual({
      sha: sha(1, 'c'),
      ref: 'feature-1',
      repository: 'someone/app',
      cloneUrl: `${gitlab.url}/someone/app.git`,
    });
    expect(forkLookups()).toBe(0);
    expect(gitlab.requests).toHaveLength(1);
  });

  it('leaves out the head repository of a fork it cannot read, asks once, and still lists', async () => {
    const hidden = 9_999;
    gitlab.setMergeRequests(PROJECT, [
      opened(1, { sourceProjectId: hidden }),
      opened(2, { sourceProjectId: hidden }),
      opened(3),
    ]);
    const { gl, capture } = client();

    const listing = await look(gl);

    expect(listing.open.get(1)).toMatchObject({
      fork: true,
      head: { sha: sha(1), ref: 'feature-1' },
    });
    expect(listing.open.get(1)?.head).not.toHaveProperty('repository');
    expect(listing.open.get(1)?.head).not.toHaveProperty('cloneUrl');
    expect(listing.open.get(3)?.head.repository).toBe(PROJECT);
    expect(gitlab.requests.filter((r) => r.path === `/api/v4/projects/${hidden}`)).toHaveLength(1);
    expect(capture.entries()).toContainEqual(
      expect.objectContaining({
        message: 'Fork project lookup failed',
        sourceProjectId: hidden,
        code: 'forge-not-found',
      }),
    );
  });

  it('maps a failing GitLab (5xx) to forge-unavailable', async () => {
    gitlab.setMergeRequests(PROJECT, [opened(1)]);
    gitlab.fault({ kind: 'status', status: 502, path: /\/merge_requests$/ });
    const { gl } = client();

    const err = await rejectionOf(look(gl));

    expect(err.code).toBe('forge-unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).not.toContain(TOKEN);
  });

  it('looks the project id up again after GitLab said the project was not found', async () => {
    const { gl } = client();
    await look(gl);
    gitlab.fault({ kind: 'status', status: 404, path: /\/merge_requests$/, times: 1 });
    expect((await rejectionOf(look(gl, LATER))).code).toBe('forge-not-found');
    gitlab.resetStats();

    await look(gl, LATER);

    expect(gitlab.requests.map((r) => r.path.split('?')[0])).toEqual([
      `/api/v4/projects/${ENCODED}`,
      `/api/v4/projects/${projectId}/merge_requests`,
    ]);
  });
});
