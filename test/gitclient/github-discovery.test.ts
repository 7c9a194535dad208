import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import type { DiscoverySource } from '../../src/gitclient/owner-repository-listing.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import type { FakeOwnerRepository } from '../helpers/github-owner-api.js';
import { clientConfig, rejectionOf, tokenForms, type TestConfigOverrides } from './fixtures.js';

const TOKEN = 'ghp_fakeDiscoveryToken0123456789';

/** `svc-000` ... : 250 repositories, oldest first. */
const many = (count: number, from = 0): FakeOwnerRepository[] =>
  Array.from({ length: count }, (_, i) => ({ name: `svc-${String(from + i).padStart(3, '0')}` }));

const ORG_PAGE = (page: number) =>
  `/orgs/acme/repos?per_page=100&type=all&sort=created&direction=asc&page=${page}`;
const USER_PAGE = (page: number) =>
  `/users/octocat/repos?per_page=100&type=owner&sort=created&direction=asc&page=${page}`;

describe('GithubClient.listOwnerRepositories', () => {
  let github: FakeGithub;

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
  });

  beforeEach(() => {
    github.setOrgRepositories('acme', many(250));
  });

  afterEach(() => {
    github.fault(undefined);
    github.quota.resetAtMs = 0;
    github.resetStats();
  });

  afterAll(async () => {
    await github.close();
  });

  function clients(overrides: TestConfigOverrides = {}, cache = new MemoryHttpCache()) {
    const capture = createCaptureLogger();
    const set = createGitClients({
      config: clientConfig(overrides),
      log: capture.log,
      httpCache: cache,
    });
    return { set, capture, cache };
  }

  const source = (extra: Partial<DiscoverySource> = {}): DiscoverySource => ({
    provider: 'github',
    owner: 'acme',
    url: github.url,
    apiBaseUrl: github.url,
    token: TOKEN,
    ...extra,
  });
  const list = (set: ReturnType<typeof clients>['set'], extra: Partial<DiscoverySource> = {}) =>
    set.listOwnerRepositories(source(extra), {
      signal: new AbortController().signal,
      timeoutMs: 10_000,
    });
  const paths = (listing: { repositories: readonly { path: string }[] }) =>
    listing.repositories.map((r) => r.path);

  it('lists the 250 repositories of an organization over 3 pages of 100, sorted by path', async () => {
    const listing = await list(clients().set);
    expect(paths(listing)).toEqual(many(250).map((r) => `acme/${r.name}`));
    expect(github.requests.map((r) => r.path)).toEqual([ORG_PAGE(1), ORG_PAGE(2), ORG_PAGE(3)]);
    expect(listing.cost).toEqual({ requests: 3, quotaUnits: 3, notModified: 0 });
    expect(listing.unchanged).toBe(false);
    expect(listing.repositories[0]).toEqual({
      path: 'acme/svc-000',
      cloneUrl: `${github.url}/acme/svc-000.git`,
      webUrl: `${github.url}/acme/svc-000`,
      defaultBranch: 'main',
      archived: false,
      fork: false,
      topics: [],
      private: false,
      visibility: 'public',
    });
  });

  it('reads an unchanged organization again as 304s that cost no quota, across client sets', async () => {
    const cache = new MemoryHttpCache();
    const first = await list(clients({}, cache).set);
    const remaining = github.quota.remaining;
    const quiet = clients({}, cache);
    const second = await list(quiet.set);
    expect(second.unchanged).toBe(true);
    expect(second.repositories).toEqual(first.repositories);
    expect(second.cost).toEqual({ requests: 3, quotaUnits: 0, notModified: 3 });
    expect(github.quota.remaining).toBe(remaining);
    expect(github.requests.slice(-3).every((r) => r.status === 304 && r.ifNoneMatch)).toBe(true);
    const loud = quiet.capture.entries().filter((e) => e.level === 'warn' || e.level === 'error');
    expect(loud).toEqual([]);
  });

  it('reads again only the pages a repository added and one removed changed', async () => {
    const { set } = clients();
    await list(set);
    github.resetStats();
    const kept = many(250).filter((r) => r.name !== 'svc-150');
    github.setOrgRepositories('acme', [...kept, { name: 'new-app' }]);
    const second = await list(set);
    expect(second.unchanged).toBe(false);
    expect(paths(second)).toContain('acme/new-app');
    expect(paths(second)).not.toContain('acme/svc-150');
    expect(second.repositories).toHaveLength(250);
    // Oldest first: page 1 is untouched; the removal shifts pages 2 and 3, the addition ends 3.
    expect(github.requests.map((r) => [r.path, r.status])).toEqual([
      [ORG_PAGE(1), 304],
      [ORG_PAGE(2), 200],
      [ORG_PAGE(3), 200],
    ]);
    expect(second.cost).toEqual({ requests: 3, quotaUnits: 2, notModified: 1 });
  });

  it('finds a repository created after a full last page, by asking for the page after it', async () => {
    github.setOrgRepositories('acme', many(200));
    const { set } = clients();
    const first = await list(set);
    expect(first.repositories).toHaveLength(200);
    expect(github.requests).toHaveLength(2);
    github.resetStats();
    github.setOrgRepositories('acme', [...many(200), { name: 'zz-latest' }]);
    const second = await list(set);
    expect(paths(second)).toContain('acme/zz-latest');
    expect(github.requests.map((r) => [r.path, r.status])).toEqual([
      [ORG_PAGE(1), 304],
      [ORG_PAGE(2), 304],
      [ORG_PAGE(3), 200],
    ]);
  });

  it('carries topics, archived, fork, visibility and the default branch', async () => {
    github.setOrgRepositories('acme', [
      { name: 'api', topics: ['ci', 'go'], defaultBranch: 'trunk' },
      { name: 'old', archived: true },
      { name: 'fork-of-lib', fork: true },
      { name: 'secret', private: true },
      { name: 'inner', visibility: 'internal' },
    ]);
    const listing = await list(clients().set);
    const by = new Map(listing.repositories.map((r) => [r.path, r]));
    expect(by.get('acme/api')).toMatchObject({ topics: ['ci', 'go'], defaultBranch: 'trunk' });
    expect(by.get('acme/old')).toMatchObject({ archived: true, fork: false });
    expect(by.get('acme/fork-of-lib')).toMatchObject({ fork: true, archived: false });
    expect(by.get('acme/secret')).toMatchObject({ private: true, visibility: 'private' });
    expect(by.get('acme/inner')).toMatchObject({ private: true, visibility: 'internal' });
  });

  it("lists a user's public repositories through /users when no organization has the name", async () => {
    github.setUserRepositories('octocat', [
      { name: 'Hello-World', topics: ['demo'] },
      { name: 'diary', private: true },
    ]);
    const cache = new MemoryHttpCache();
    const { set } = clients({}, cache);
    const listing = await list(set, { owner: 'octocat' });
    expect(listing.repositories).toMatchObject([
      { path: 'octocat/Hello-World', topics: ['demo'], private: false },
    ]);
    expect(github.requests.map((r) => [r.path, r.status])).toEqual([
      [ORG_PAGE(1).replace('acme', 'octocat'), 404],
      [USER_PAGE(1), 200],
    ]);

    // Remembered: the same client set asks /users at once, and so does a new one over the cache.
    github.resetStats();
    expect((await list(set, { owner: 'octocat' })).unchanged).toBe(true);
    expect((await list(clients({}, cache).set, { owner: 'octocat' })).unchanged).toBe(true);
    expect(github.requests.map((r) => [r.path, r.status])).toEqual([
      [USER_PAGE(1), 304],
      [USER_PAGE(1), 304],
    ]);
  });

  it('says forge-not-found, naming the owner, when neither an organization nor a user has it', async () => {
    const err = await rejectionOf(list(clients().set, { owner: 'nobody-here' }));
    expect(err).toMatchObject({ code: 'forge-not-found' });
    expect(err.message).toContain('nobody-here');
    expect(github.requests.map((r) => r.status)).toEqual([404, 404]);
  });

  it('derives <scheme>://<host>/api/v3 from a GitHub Enterprise host', async () => {
    const { apiBaseUrl: _derived, ...ghe } = source({ url: `${github.url}/` });
    const listing = await clients().set.listOwnerRepositories(ghe, {
      signal: new AbortController().signal,
      timeoutMs: 10_000,
    });
    expect(listing.repositories).toHaveLength(250);
    expect(github.requests[0]?.path).toBe(`/api/v3${ORG_PAGE(1)}`);
  });

  it('reports bad credentials as forge-unauthorized, never quoting the token', async () => {
    const wrong = 'ghp_wrongDiscoveryToken987654';
    const { set, capture } = clients();
    const err = await rejectionOf(list(set, { token: wrong }));
    expect(err).toMatchObject({ code: 'forge-unauthorized' });
    expect(err.message).toContain('owner acme');
    for (const form of [...tokenForms(wrong), ...tokenForms(TOKEN)]) {
      expect(err.message).not.toContain(form);
      expect(capture.text()).not.toContain(form);
    }
  });

  it('reports a server error as forge-unavailable after polling.retry_attempts retries', async () => {
    github.fault({ kind: 'status', status: 502, path: /\/orgs\/acme\/repos/ });
    const { set } = clients({ polling: { enableApiFallback: false, retryAttempts: 1 } });
    const err = await rejectionOf(list(set));
    expect(err).toMatchObject({ code: 'forge-unavailable', retryable: true });
    expect(err.message).toContain('owner acme');
    expect(github.stats.byStatus[502]).toBe(2);
  });

  it('gives up when its time runs out (forge-unavailable), and stops at once on a cancel', async () => {
    github.fault({ kind: 'hang' });
    const { set } = clients();
    const started = Date.now();
    const timedOut = set.listOwnerRepositories(source(), {
      signal: new AbortController().signal,
      timeoutMs: 500,
    });
    await expect(timedOut).rejects.toMatchObject({ code: 'forge-unavailable' });
    expect(Date.now() - started).toBeLessThan(3000);

    const controller = new AbortController();
    const cancelled = set.listOwnerRepositories(source(), {
      signal: controller.signal,
      timeoutMs: 10_000,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('waits out a secondary limit, and reports an hour-long quota reset as forge-rate-limited', async () => {
    github.fault({ kind: 'rate-limit', retryAfterSeconds: 1, times: 1 });
    const listing = await list(clients().set);
    expect(listing.repositories).toHaveLength(250);

    github.quota.exhaust(new Date(Date.now() + 3_600_000));
    const err = await rejectionOf(list(clients().set));
    expect(err).toMatchObject({ code: 'forge-rate-limited' });
    expect(err.resetAt?.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  });
});
