import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab.js';
import { createGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import {
  clientConfig,
  rejectionOf,
  repoConfig,
  tokenForms,
  type TestConfigOverrides,
} from './fixtures.js';

const TOKEN = 'glpat-fakeGitlabToken42';

describe('GitlabClient', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let git: GitHttpServer;
  let gitlab: FakeGitlab;
  let gitlabHttpDate: FakeGitlab;
  let expected: Map<string, string>;
  let annotated: { tagSha: string; commitSha: string };

  beforeAll(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('group/sub/app');
    await repo.commit('main');
    await repo.createBranches('topic-', 149, 'main');
    annotated = await repo.annotatedTag('v2.0', 'main');
    expected = await repo.refs();
    git = await createGitHttpServer({ root: factory.root, auth: { password: TOKEN } });
    gitlab = await createFakeGitlab({ token: TOKEN });
    gitlab.setProject('group/sub/app', expected);
    gitlabHttpDate = await createFakeGitlab({ token: TOKEN, resetForm: 'http-date' });
    gitlabHttpDate.setProject('group/sub/app', expected);
  });

  afterEach(() => {
    for (const fake of [gitlab, gitlabHttpDate]) {
      fake.fault(undefined);
      fake.quota.resetAtMs = 0;
      fake.resetStats();
    }
  });

  afterAll(async () => {
    await gitlab.close();
    await gitlabHttpDate.close();
    await git.close();
    await factory.cleanup();
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

  /** The project as served by `fake` (web URL on the fake, so the API base is derived from it). */
  const onFake = (fake: FakeGitlab, extra: Partial<Parameters<typeof repoConfig>[0]> = {}) =>
    repoConfig({
      provider: 'gitlab',
      url: `${fake.url}/group/sub/app.git`,
      token: TOKEN,
      ...extra,
    });
  const signal = () => new AbortController().signal;

  it('lists every branch and peeled tag of a subgroup project, following X-Next-Page', async () => {
    const { set, capture } = clients();
    const listing = await set.listRefs(onFake(gitlab), { includeTags: true, signal: signal() });
    expect(listing.via).toBe('api');
    expect(listing.refs).toEqual(expected);
    expect(listing.refs.size).toBe(151);
    expect(listing.refs.get('refs/tags/v2.0')).toBe(annotated.commitSha);
    expect(gitlab.requests.map((r) => r.path)).toEqual([
      '/api/v4/projects/group%2Fsub%2Fapp',
      '/api/v4/projects/100/repository/branches?per_page=100&page=1',
      '/api/v4/projects/100/repository/branches?per_page=100&page=2',
      '/api/v4/projects/100/repository/tags?per_page=100&page=1',
    ]);
    expect(listing.cost).toEqual({ requests: 4, quotaUnits: 4, notModified: 0 });
    for (const form of tokenForms(TOKEN)) expect(capture.text()).not.toContain(form);
  });

  it('looks the project id up once per client set', async () => {
    const { set } = clients();
    await set.listRefs(onFake(gitlab), { includeTags: false, signal: signal() });
    await set.listRefs(onFake(gitlab), { includeTags: false, signal: signal() });
    expect(gitlab.requests.filter((r) => r.path.startsWith('/api/v4/projects/group')).length).toBe(
      1,
    );
  });

  it('asks api_base_url instead of the repository host when it is configured', async () => {
    const { set } = clients();
    const listing = await set.listRefs(
      onFake(gitlab, {
        url: 'https://gitlab.invalid/group/sub/app.git',
        apiBaseUrl: `${gitlab.url}/api/v4`,
      }),
      { includeTags: false, signal: signal() },
    );
    expect(listing.refs.size).toBe(150);
  });

  it.each([
    ['epoch seconds', () => gitlab],
    ['an HTTP date', () => gitlabHttpDate],
  ])('reads RateLimit-Reset given as %s and fails fast on a long reset', async (_form, fake) => {
    const resetAt = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
    fake().quota.exhaust(resetAt);
    const { set } = clients({ polling: { enableApiFallback: false, timeoutMs: 4000 } });
    const err = await rejectionOf(
      set.listRefs(onFake(fake()), { includeTags: false, signal: signal() }),
    );
    expect(err).toMatchObject({ code: 'forge-rate-limited' });
    expect(err.resetAt?.getTime()).toBe(resetAt.getTime());
    expect(set.rateLimits()).toEqual([
      expect.objectContaining({ provider: 'gitlab', remaining: 0, resetAt }),
    ]);
    expect(fake().stats.requests).toBe(1);
  });

  it('waits out a short 429 Retry-After and then lists', async () => {
    gitlab.fault({ kind: 'rate-limit', retryAfterSeconds: 1, times: 1 });
    const { set, capture } = clients();
    const started = Date.now();
    const listing = await set.listRefs(onFake(gitlab), { includeTags: false, signal: signal() });
    expect(listing.via).toBe('api');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(gitlab.stats.byStatus[429]).toBe(1);
    expect(capture.entries().some((e) => e.message === 'Waiting for rate limit reset')).toBe(true);
  });

  it('spaces requests by rate_limit.gitlab.requests_per_second with burst as the bucket size', async () => {
    const { set } = clients({ gitlab: { requestsPerSecond: 4, burst: 1 } });
    const started = Date.now();
    await set.listRefs(onFake(gitlab), { includeTags: true, signal: signal() }); // 4 requests
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(1500);
  });

  it('falls back to ls-remote on 5xx with the same token', async () => {
    gitlab.fault({ kind: 'status', status: 500 });
    const { set } = clients();
    const listing = await set.listRefs(
      onFake(gitlab, { url: git.urlFor('group/sub/app.git'), apiBaseUrl: `${gitlab.url}/api/v4` }),
      { includeTags: true, signal: signal() },
    );
    expect(listing).toMatchObject({ via: 'ls-remote', fallbackReason: 'forge-unavailable' });
    expect(listing.refs).toEqual(expected);
    expect(gitlab.stats.requests).toBe(1); // no API retries: ls-remote is the retry
    expect(git.requests.at(-1)).toMatchObject({ authorized: true, user: 'oauth2' });
  });

  it('reports 401 as forge-unauthorized without falling back', async () => {
    const { set } = clients();
    await expect(
      set.listRefs(onFake(gitlab, { token: 'glpat-wrong' }), {
        includeTags: false,
        signal: signal(),
      }),
    ).rejects.toMatchObject({ code: 'forge-unauthorized' });
    expect(gitlab.stats.requests).toBe(1);
  });

  it('reports an unknown project as forge-not-found', async () => {
    const { set } = clients();
    await expect(
      set.listRefs(onFake(gitlab, { url: `${gitlab.url}/group/other` }), {
        includeTags: false,
        signal: signal(),
      }),
    ).rejects.toMatchObject({ code: 'forge-not-found' });
  });
});
