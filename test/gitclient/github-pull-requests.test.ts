import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import { createGitHttpServer } from '../helpers/git-http-server.js';
import { createGitRepoFactory } from '../helpers/git-repo-factory.js';
import { clientConfig, repoConfig } from './fixtures.js';

const TOKEN = 'ghp_fakeGithubToken0123456789';
const sha = (n: number): string => n.toString(16).padStart(40, '0');

describe('GitHub pull requests against the loopback GitHub', () => {
  let github: FakeGithub;
  const cache = new MemoryHttpCache();
  const clients = (fallback = false) =>
    createGitClients({
      config: clientConfig({ polling: { enableApiFallback: fallback } }),
      log: createCaptureLogger().log,
      httpCache: cache,
    });
  const app = () =>
    repoConfig({ url: 'https://github.example/org/app', apiBaseUrl: github.url, token: TOKEN });
  const list = (knownOpen: number[] = []) =>
    clients().listPullRequests(app(), {
      signal: new AbortController().signal,
      knownOpen: new Set(knownOpen),
    });

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
    for (let n = 1; n <= 150; n += 1) {
      github.setPull('org/app', {
        number: n,
        state: 'open',
        headRef: `feature/${n}`,
        headSha: sha(n),
        baseRef: n % 2 === 0 ? 'main' : 'release/1',
        draft: n === 7,
        ...(n === 9 ? { fork: 'someone/app' } : {}),
        ...(n === 11 ? { fork: null } : {}),
      });
    }
    github.setPull('org/app', {
      number: 151,
      state: 'closed',
      headRef: 'x',
      headSha: sha(151),
      baseRef: 'main',
    });
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(() => github.resetStats());

  it('lists every open pull over pages of 100, then again for free with 304s', async () => {
    const first = await list();
    expect(first.complete).toBe(true);
    expect(first.via).toBe('api');
    expect([...first.open.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 150 }, (_, i) => i + 1),
    );
    expect(first.open.get(8)).toEqual({
      number: 8,
      state: 'open',
      known: 'api',
      title: 'Pull 8',
      draft: false,
      url: `${github.url}/org/app/pull/8`,
      author: 'octocat',
      head: {
        sha: sha(8),
        ref: 'feature/8',
        repository: 'org/app',
        cloneUrl: `${github.url}/org/app.git`,
      },
      base: { ref: 'main', sha: '0'.repeat(40) },
      fork: false,
    });
    expect(first.open.get(7)?.draft).toBe(true);
    expect(first.open.get(9)).toMatchObject({ fork: true, head: { repository: 'someone/app' } });
    expect(first.open.get(11)?.fork).toBe(true);
    expect(first.open.get(11)?.head.repository).toBeUndefined();
    expect(github.requests.map((r) => r.path)).toEqual([
      '/repos/org/app/pulls?state=open&per_page=100&page=1',
      '/repos/org/app/pulls?state=open&per_page=100&page=2',
    ]);
    expect(first.cost).toMatchObject({ requests: 2, quotaUnits: 2 });

    github.resetStats();
    const again = await list();
    expect(again.open).toEqual(first.open);
    expect(github.stats.notModified).toBe(2);
    expect(again.cost).toMatchObject({ requests: 2, quotaUnits: 0, notModified: 2 });
  });

  it('looks once at each known pull that left the open list: merged, closed or gone', async () => {
    github.setPull('org/app', {
      number: 200,
      state: 'closed',
      merged: true,
      headRef: 'a',
      headSha: sha(200),
      baseRef: 'main',
    });
    github.setPull('org/app', {
      number: 201,
      state: 'closed',
      headRef: 'b',
      headSha: sha(201),
      baseRef: 'main',
    });
    const listing = await list([5, 200, 201, 202]);
    expect(listing.closed.get(200)).toMatchObject({ state: 'merged', head: { sha: sha(200) } });
    expect(listing.closed.get(201)).toMatchObject({ state: 'closed' });
    expect(listing.closed.has(202)).toBe(false);
    expect(listing.open.has(202)).toBe(false);
    expect(github.requests.map((r) => r.path).slice(2)).toEqual([
      '/repos/org/app/pulls/200',
      '/repos/org/app/pulls/201',
      '/repos/org/app/pulls/202',
    ]);
  });

  it('reports a failing API with its code', async () => {
    github.fault({ kind: 'status', status: 502, times: 10 });
    await expect(list()).rejects.toMatchObject({ code: 'forge-unavailable' });
  });

  it('falls back to the request refs when the API fails: heads without states', async () => {
    const factory = await createGitRepoFactory();
    const git = await createGitHttpServer({ root: factory.root });
    try {
      const bare = await factory.createBareRepo('org/app');
      const head = await bare.commit('main', 'first');
      const feature = await bare.commit('feature', 'second', { from: 'main' });
      await bare.git(['update-ref', 'refs/pull/3/head', feature]);
      await bare.git(['update-ref', 'refs/pull/4/head', head]);
      github.fault({ kind: 'status', status: 502 });
      const listing = await clients(true).listPullRequests(
        repoConfig({ url: git.urlFor('org/app.git'), apiBaseUrl: github.url, token: TOKEN }),
        { signal: new AbortController().signal, knownOpen: new Set([3]) },
      );
      expect(listing).toMatchObject({ via: 'ls-remote', complete: false });
      expect([...listing.open.values()]).toEqual([
        { number: 3, state: 'open', known: 'ref', head: { sha: feature } },
        { number: 4, state: 'open', known: 'ref', head: { sha: head } },
      ]);
    } finally {
      github.fault(undefined);
      await git.close();
      await factory.cleanup();
    }
  });
});
