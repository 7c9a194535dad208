import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import type { DiscoverySource } from '../../src/gitclient/owner-repository-listing.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab.js';
import type { FakeGroupProject } from '../helpers/gitlab-group-api.js';
import { clientConfig, rejectionOf, tokenForms, type TestConfigOverrides } from './fixtures.js';

const TOKEN = 'glpat-fakeDiscoveryToken42';

const QUERY = 'include_subgroups=true&with_shared=false&order_by=id&sort=asc&per_page=100&page=';

describe('GitlabClient.listOwnerRepositories', () => {
  let gitlab: FakeGitlab;

  beforeAll(async () => {
    gitlab = await createFakeGitlab({ token: TOKEN });
  });

  afterEach(() => {
    gitlab.fault(undefined);
    gitlab.quota.resetAtMs = 0;
    gitlab.resetStats();
  });

  afterAll(async () => {
    await gitlab.close();
  });

  function clients(overrides: TestConfigOverrides = {}) {
    const capture = createCaptureLogger();
    const set = createGitClients({
      config: clientConfig(overrides),
      log: capture.log,
      httpCache: new MemoryHttpCache(),
    });
    return { set, capture };
  }

  const list = (set: ReturnType<typeof clients>['set'], extra: Partial<DiscoverySource> = {}) =>
    set.listOwnerRepositories(
      { provider: 'gitlab', owner: 'tree', url: gitlab.url, token: TOKEN, ...extra },
      { signal: new AbortController().signal, timeoutMs: 10_000 },
    );
  const paths = (listing: { repositories: readonly { path: string }[] }) =>
    listing.repositories.map((r) => r.path);

  it('lists a subgroup tree (group/sub/deeper) with full paths, and a subgroup on its own', async () => {
    gitlab.setGroupProjects('tree', [
      { path: 'tree/top' },
      { path: 'tree/sub/middle' },
      { path: 'tree/sub/deeper/bottom' },
      { path: 'tree/other/side' },
    ]);
    const { set } = clients();
    const listing = await list(set);
    expect(paths(listing)).toEqual([
      'tree/other/side',
      'tree/sub/deeper/bottom',
      'tree/sub/middle',
      'tree/top',
    ]);
    expect(listing.unchanged).toBe(false);
    expect(gitlab.requests.map((r) => r.path)).toEqual([`/api/v4/groups/tree/projects?${QUERY}1`]);
    expect(listing.repositories.find((r) => r.path === 'tree/sub/deeper/bottom')).toEqual({
      path: 'tree/sub/deeper/bottom',
      cloneUrl: `${gitlab.url}/tree/sub/deeper/bottom.git`,
      webUrl: `${gitlab.url}/tree/sub/deeper/bottom`,
      defaultBranch: 'main',
      archived: false,
      fork: false,
      topics: [],
      private: true,
      visibility: 'private',
    });

    gitlab.resetStats();
    const sub = await list(set, { owner: 'tree/sub' });
    expect(paths(sub)).toEqual(['tree/sub/deeper/bottom', 'tree/sub/middle']);
    expect(gitlab.requests[0]?.path).toBe(`/api/v4/groups/tree%2Fsub/projects?${QUERY}1`);
  });

  it('reads 250 projects over 3 pages following X-Next-Page; never unchanged', async () => {
    const projects: FakeGroupProject[] = Array.from({ length: 250 }, (_, i) => ({
      path: `big/team-${i % 3}/svc-${String(i).padStart(3, '0')}`,
    }));
    gitlab.setGroupProjects('big', projects);
    const { set } = clients();
    const first = await list(set, { owner: 'big' });
    expect(first.repositories).toHaveLength(250);
    expect(paths(first)).toEqual(projects.map((p) => p.path).sort());
    expect(gitlab.requests.map((r) => r.path)).toEqual(
      [1, 2, 3].map((page) => `/api/v4/groups/big/projects?${QUERY}${page}`),
    );
    expect(first.cost).toMatchObject({ requests: 3, quotaUnits: 3 });
    const second = await list(set, { owner: 'big' });
    expect(second.unchanged).toBe(false);
    expect(second.repositories).toEqual(first.repositories);
  });

  it('carries topics (tag_list before GitLab 14.5), archived, forks, visibility and empty projects', async () => {
    gitlab.setGroupProjects('kinds', [
      { path: 'kinds/api', topics: ['ci', 'Go'], visibility: 'public' },
      { path: 'kinds/legacy', topics: ['ci'], beforeTopics: true, visibility: 'internal' },
      { path: 'kinds/old', archived: true },
      { path: 'kinds/fork', forkedFrom: 'upstream/lib' },
      { path: 'kinds/empty', defaultBranch: null },
    ]);
    const listing = await list(clients().set, { owner: 'kinds' });
    const by = new Map(listing.repositories.map((r) => [r.path, r]));
    expect(by.get('kinds/api')).toMatchObject({
      topics: ['ci', 'Go'],
      private: false,
      visibility: 'public',
    });
    expect(by.get('kinds/legacy')).toMatchObject({ topics: ['ci'], visibility: 'internal' });
    expect(by.get('kinds/old')).toMatchObject({ archived: true, fork: false });
    expect(by.get('kinds/fork')).toMatchObject({ fork: true, archived: false });
    expect(by.get('kinds/empty')).not.toHaveProperty('defaultBranch');
  });

  it('leaves out projects shared into the group from elsewhere', async () => {
    gitlab.setGroupProjects('home', [{ path: 'home/own' }]);
    gitlab.setGroupProjects('elsewhere', [{ path: 'elsewhere/guest', sharedWith: ['home'] }]);
    const listing = await list(clients().set, { owner: 'home' });
    expect(paths(listing)).toEqual(['home/own']);
  });

  it('says forge-not-found, naming the group, for an unknown group', async () => {
    const err = await rejectionOf(list(clients().set, { owner: 'no/such-group' }));
    expect(err).toMatchObject({ code: 'forge-not-found' });
    expect(err.message).toContain('no/such-group');
  });

  it('takes the API root from api_base_url, and keeps an instance path prefix of the url', async () => {
    gitlab.setGroupProjects('tree', [{ path: 'tree/top' }]);
    const viaBase = await list(clients().set, {
      url: 'https://gitlab.example.invalid',
      apiBaseUrl: `${gitlab.url}/api/v4/`,
    });
    expect(paths(viaBase)).toEqual(['tree/top']);
    await expect(list(clients().set, { url: `${gitlab.url}/prefix` })).rejects.toMatchObject({
      code: 'forge-not-found',
    });
    expect(gitlab.requests.at(-1)?.path).toBe(`/prefix/api/v4/groups/tree/projects?${QUERY}1`);
  });

  it('reports bad credentials as forge-unauthorized, never quoting the token', async () => {
    gitlab.setGroupProjects('tree', [{ path: 'tree/top' }]);
    const wrong = 'glpat-wrongDiscoveryToken';
    const { set, capture } = clients();
    const err = await rejectionOf(list(set, { token: wrong }));
    expect(err).toMatchObject({ code: 'forge-unauthorized' });
    expect(err.message).toContain('group tree');
    for (const form of [...tokenForms(wrong), ...tokenForms(TOKEN)]) {
      expect(err.message).not.toContain(form);
      expect(capture.text()).not.toContain(form);
    }
  });

  it('gives up when its time runs out: forge-unavailable', async () => {
    gitlab.setGroupProjects('tree', [{ path: 'tree/top' }]);
    gitlab.fault({ kind: 'hang' });
    const started = Date.now();
    const err = await rejectionOf(
      clients().set.listOwnerRepositories(
        { provider: 'gitlab', owner: 'tree', url: gitlab.url, token: TOKEN },
        { signal: new AbortController().signal, timeoutMs: 500 },
      ),
    );
    expect(err).toMatchObject({ code: 'forge-unavailable' });
    expect(err.message).toContain('group tree');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('waits out a 429 with Retry-After, and reports a 5xx as forge-unavailable', async () => {
    gitlab.setGroupProjects('tree', [{ path: 'tree/top' }]);
    gitlab.fault({ kind: 'rate-limit', retryAfterSeconds: 1, times: 1 });
    const listing = await list(clients().set);
    expect(paths(listing)).toEqual(['tree/top']);
    expect(gitlab.stats.byStatus[429]).toBe(1);

    gitlab.fault({ kind: 'status', status: 503 });
    const err = await rejectionOf(list(clients().set));
    expect(err).toMatchObject({ code: 'forge-unavailable', retryable: true });
    expect(err.message).toContain('group tree');
  });
});
