import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitClients, type GitClientDeps } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
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

const TOKEN = 'ghp_fakeGithubToken0123456789';

describe('GithubClient', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let git: GitHttpServer;
  let github: FakeGithub;
  let expected: Map<string, string>;
  let annotated: { tagSha: string; commitSha: string };

  beforeAll(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('org/app');
    await repo.commit('main');
    await repo.createBranches('feature/f', 249, 'main');
    await repo.tag('v0.1', 'main');
    annotated = await repo.annotatedTag('v1.0', 'main');
    expected = await repo.refs();
    git = await createGitHttpServer({ root: factory.root, auth: { password: TOKEN } });
    github = await createFakeGithub({ token: TOKEN });
    github.setRepo('org/app', expected);
  });

  afterEach(() => {
    github.fault(undefined);
    github.quota.resetAtMs = 0;
    github.resetStats();
  });

  afterAll(async () => {
    await github.close();
    await git.close();
    await factory.cleanup();
  });

  function clients(overrides: TestConfigOverrides = {}, cache = new MemoryHttpCache()) {
    const capture = createCaptureLogger();
    const deps: GitClientDeps = {
      config: clientConfig(overrides),
      log: capture.log,
      httpCache: cache,
    };
    return { set: createGitClients(deps), capture, cache };
  }

  const app = (extra: Partial<Parameters<typeof repoConfig>[0]> = {}) =>
    repoConfig({ url: git.urlFor('org/app.git'), apiBaseUrl: github.url, token: TOKEN, ...extra });
  const poll = (set: ReturnType<typeof clients>['set'], includeTags = false, extra = {}) =>
    set.listRefs(app(extra), { includeTags, signal: new AbortController().signal });
  const branchesOnly = () =>
    new Map([...expected].filter(([ref]) => ref.startsWith('refs/heads/')));

  it('lists 250 branches over 3 pages of 100', async () => {
    const { set } = clients();
    const listing = await poll(set);
    expect(listing.via).toBe('api');
    expect(listing.refs).toEqual(branchesOnly());
    expect(listing.refs.size).toBe(250);
    expect(github.requests.map((r) => r.path)).toEqual([
      '/repos/org/app/branches?per_page=100&page=1',
      '/repos/org/app/branches?per_page=100&page=2',
      '/repos/org/app/branches?per_page=100&page=3',
    ]);
    expect(listing.cost).toEqual({ requests: 3, quotaUnits: 3, notModified: 0 });
    expect(listing.unchanged).toBe(false);
  });

  it('lists tags peeled to their commit when asked for', async () => {
    const { set } = clients();
    const listing = await poll(set, true);
    expect(listing.refs).toEqual(expected);
    expect(listing.refs.get('refs/tags/v1.0')).toBe(annotated.commitSha);
  });

  it('sends If-None-Match and treats 304 as unchanged at zero quota, across client instances', async () => {
    const cache = new MemoryHttpCache();
    const first = await poll(clients({}, cache).set, true);
    expect(first.cost.quotaUnits).toBe(4);
    const remainingBefore = github.quota.remaining;

    const quiet = clients({}, cache);
    const second = await poll(quiet.set, true);
    expect(second.unchanged).toBe(true);
    // An unchanged repository is the normal case: nothing to warn about.
    const loud = quiet.capture.entries().filter((e) => e.level === 'warn' || e.level === 'error');
    expect(loud).toEqual([]);
    expect(second.refs).toEqual(first.refs);
    expect(second.cost).toEqual({ requests: 4, quotaUnits: 0, notModified: 4 });
    expect(github.quota.remaining).toBe(remainingBefore);
    expect(github.requests.slice(-4).every((r) => r.status === 304 && r.ifNoneMatch)).toBe(true);

    github.setBranch('org/app', 'feature/f5', annotated.tagSha.replace(/./, 'a'));
    try {
      const third = await poll(clients({}, cache).set, true);
      expect(third.unchanged).toBe(false);
      expect(third.cost.notModified).toBe(3);
      expect(third.refs.get('refs/heads/feature/f5')).not.toBe(
        expected.get('refs/heads/feature/f5'),
      );
    } finally {
      github.setRepo('org/app', expected);
    }
  });

  it('derives <scheme>://<host>/api/v3 for a GitHub Enterprise host', async () => {
    const { set } = clients();
    const listing = await set.listRefs(repoConfig({ url: `${github.url}/org/app`, token: TOKEN }), {
      includeTags: false,
      signal: new AbortController().signal,
    });
    expect(listing.via).toBe('api');
    expect(listing.refs.size).toBe(250);
    expect(github.requests[0]?.path).toBe('/api/v3/repos/org/app/branches?per_page=100&page=1');
  });

  it('falls back to ls-remote on 5xx, says so in the result and logs it', async () => {
    github.fault({ kind: 'status', status: 502 });
    const { set, capture } = clients();
    const listing = await poll(set, true);
    expect(listing.via).toBe('ls-remote');
    expect(listing.fallbackReason).toBe('forge-unavailable');
    expect(listing.refs).toEqual(expected);
    // No API retries when the fallback is on: ls-remote is the retry.
    expect(listing.cost.requests).toBe(1 + 1);
    expect(github.stats.requests).toBe(1);
    const line = capture
      .entries()
      .find((e) => e.message === 'Provider API failed, falling back to git ls-remote');
    expect(line).toMatchObject({ level: 'warn', repo: 'app', code: 'forge-unavailable' });
    for (const form of tokenForms(TOKEN)) expect(capture.text()).not.toContain(form);
  });

  it('gives a hanging API half of polling.timeout, then falls back to ls-remote', async () => {
    github.fault({ kind: 'hang' });
    const { set } = clients({ polling: { timeoutMs: 2000 } });
    const started = Date.now();
    const listing = await poll(set);
    expect(listing).toMatchObject({ via: 'ls-remote', fallbackReason: 'forge-unavailable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops at once and does not fall back when the caller cancels', async () => {
    github.fault({ kind: 'hang' });
    const { set, capture } = clients();
    const controller = new AbortController();
    const pending = set.listRefs(app(), { includeTags: false, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(capture.text()).not.toContain('falling back');
  });

  it('reports the API error when enable_api_fallback is false', async () => {
    github.fault({ kind: 'status', status: 503 });
    const { set } = clients({ polling: { enableApiFallback: false } });
    const gitRequestsBefore = git.requests.length;
    await expect(poll(set)).rejects.toMatchObject({ code: 'forge-unavailable' });
    expect(git.requests.length).toBe(gitRequestsBefore);
    expect(github.stats.byStatus[503]).toBe(3); // polling.retry_attempts (2 here) retries
  });

  it('reports 401 as forge-unauthorized without falling back', async () => {
    const { set, capture } = clients();
    const wrong = 'ghp_wrongToken987654321';
    const err = await rejectionOf(poll(set, false, { token: wrong }));
    expect(err).toMatchObject({ code: 'forge-unauthorized' });
    expect(github.stats.byStatus[401]).toBe(1); // not retried
    expect(err.message).not.toContain(wrong);
    expect(capture.text()).not.toContain('falling back');
  });

  it('reports 404 as forge-not-found', async () => {
    const { set } = clients();
    await expect(
      set.listRefs(
        repoConfig({ url: git.urlFor('org/missing.git'), apiBaseUrl: github.url, token: TOKEN }),
        {
          includeTags: false,
          signal: new AbortController().signal,
        },
      ),
    ).rejects.toMatchObject({ code: 'forge-not-found' });
  });

  it('waits for a quota reset that fits the poll timeout, then lists (and reports it)', async () => {
    github.quota.exhaust(new Date(Date.now() + 1500));
    const { set, capture } = clients({ polling: { timeoutMs: 20_000 } });
    const started = Date.now();
    const listing = await poll(set);
    expect(listing.via).toBe('api');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(github.stats.byStatus[403]).toBe(1); // one rejection, then it waited instead of hammering
    expect(capture.entries().some((e) => e.message === 'Waiting for rate limit reset')).toBe(true);
    expect(set.rateLimits()[0]).toMatchObject({ provider: 'github', limit: 5000 });
  });

  it('fails fast on an hour-long quota reset: RateLimitError, then ls-remote; no request until reset', async () => {
    const resetAt = new Date(Date.now() + 3_600_000);
    github.quota.exhaust(resetAt);
    const { set } = clients({ polling: { timeoutMs: 4000 } });
    const started = Date.now();
    const first = await poll(set);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(first).toMatchObject({ via: 'ls-remote', fallbackReason: 'forge-rate-limited' });
    const second = await poll(set);
    expect(second.via).toBe('ls-remote');
    expect(github.stats.requests).toBe(1); // the second poll did not ask the API at all
    const [snapshot] = set.rateLimits();
    expect(snapshot?.remaining).toBe(0);
    expect(Math.abs((snapshot?.resetAt.getTime() ?? 0) - resetAt.getTime())).toBeLessThan(1000);

    const strict = clients({ polling: { timeoutMs: 4000, enableApiFallback: false } }).set;
    const err = await rejectionOf(poll(strict));
    expect(err).toMatchObject({ code: 'forge-rate-limited' });
    expect(err.resetAt?.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('honours a secondary limit retry-after instead of retrying into it', async () => {
    github.fault({ kind: 'rate-limit', retryAfterSeconds: 1, times: 1 });
    const { set } = clients();
    const started = Date.now();
    const listing = await poll(set);
    expect(listing.via).toBe('api');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(github.stats.byStatus[403]).toBe(1);
    expect(listing.cost.quotaUnits).toBe(3);
  });

  it('spaces requests by rate_limit.github.requests_per_minute with burst as the bucket size', async () => {
    const { set } = clients({ github: { requestsPerMinute: 120, requestsPerHour: 1e6, burst: 1 } });
    const started = Date.now();
    await poll(set); // 3 pages: 1 from the bucket, then 2 x 500 ms
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(1600);
  });
});
