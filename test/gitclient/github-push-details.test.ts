import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { clientConfig, repoConfig } from './fixtures.js';

const TOKEN = 'ghp_fakeGithubToken0123456789';
const OPTIONS = { signal: new AbortController().signal, timeoutMs: 5_000 };

describe('GitHub push details (compare, commit, repository) against the loopback GitHub', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let github: FakeGithub;
  const cache = new MemoryHttpCache();
  const set = () =>
    createGitClients({ config: clientConfig(), log: createCaptureLogger().log, httpCache: cache });
  const app = () =>
    repoConfig({
      url: 'https://github.example/org/app',
      apiBaseUrl: github.url,
      token: TOKEN,
    });

  beforeAll(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('org/app');
    github = await createFakeGithub({ token: TOKEN });
    github.setGitDir('org/app', repo.path);
    github.setRepository('org/app', { private: true, defaultBranch: 'main' });
  });
  afterEach(() => {
    github.fault(undefined);
    github.resetStats();
  });
  afterAll(async () => {
    await github.close();
    await factory.cleanup();
  });

  it('reads an update: the commits it brought oldest first, the head commit, not forced', async () => {
    const before = await repo.commit('main', 'base');
    const one = await repo.commit('main', 'feat: one');
    const two = await repo.commit('main', 'fix: two\n\nWith a body.');
    const details = await set().pushDetails(
      app(),
      { ref: 'refs/heads/main', before, after: two },
      OPTIONS,
    );
    expect(details?.missing).toEqual([]);
    expect(details?.repository).toEqual({
      id: expect.any(Number),
      private: true,
      defaultBranch: 'main',
    });
    expect(details?.commits?.map((c) => [c.id, c.message])).toEqual([
      [one, 'feat: one'],
      [two, 'fix: two\n\nWith a body.'],
    ]);
    expect(details?.totalCommits).toBe(2);
    expect(details?.forced).toBe(false);
    expect(details?.compareUrl).toBe(`${github.url}/org/app/compare/${before}...${two}`);
    expect(details?.headCommit).toMatchObject({
      id: two,
      message: 'fix: two\n\nWith a body.',
      url: `${github.url}/org/app/commit/${two}`,
      author: {
        name: 'RepoSentry Test',
        email: 'test@reposentry.invalid',
        username: 'reposentry-test',
      },
      committer: { name: 'RepoSentry Test', email: 'test@reposentry.invalid' },
    });
    expect(details?.headCommit?.timestamp).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/,
    );
    // The repository and one compare page; every request spent quota.
    expect(github.requests.map((r) => r.path.split('?')[0])).toEqual([
      '/repos/org/app',
      `/repos/org/app/compare/${before}...${two}`,
    ]);
    expect(details?.cost).toEqual({ requests: 2, quotaUnits: 2 });
  });

  it('asks for the repository conditionally: a second read is a free 304', async () => {
    const head = await repo.resolve('main');
    const first = await set().pushDetails(
      app(),
      { ref: 'refs/heads/x', before: null, after: head },
      OPTIONS,
    );
    expect(first?.repository?.private).toBe(true);
    github.resetStats();
    const second = await set().pushDetails(
      app(),
      { ref: 'refs/heads/y', before: null, after: head },
      OPTIONS,
    );
    expect(second?.repository).toEqual(first?.repository);
    expect(github.requests[0]).toMatchObject({ path: '/repos/org/app', status: 304 });
    expect(github.stats.notModified).toBe(1);
    // A created ref: no compare, the head commit on its own.
    expect(second?.commits).toBeUndefined();
    expect(second?.headCommit?.id).toBe(head);
    expect(second?.cost).toEqual({ requests: 2, quotaUnits: 1 });
  });

  it('keeps the newest 20 of 25 commits (reading the last pages) and tells a force push', async () => {
    const before = await repo.resolve('main');
    const shas: string[] = [];
    for (let i = 0; i < 25; i += 1) shas.push(await repo.commit('main', `commit ${i}`));
    const details = await set().pushDetails(
      app(),
      { ref: 'refs/heads/main', before, after: shas[24] ?? '' },
      OPTIONS,
    );
    expect(details?.totalCommits).toBe(25);
    expect(details?.commits?.map((c) => c.message)).toEqual(
      shas.slice(5).map((_, i) => `commit ${i + 5}`),
    );
    expect(details?.headCommit?.id).toBe(shas[24]);

    const other = await repo.commit('rewrite', 'rewritten', { from: before });
    await repo.forcePush('main', other);
    const forced = await set().pushDetails(
      app(),
      { ref: 'refs/heads/main', before: shas[24] ?? '', after: other },
      OPTIONS,
    );
    expect(forced?.forced).toBe(true);
    expect(forced?.commits?.map((c) => c.message)).toEqual(['rewritten']);
  });

  it('leaves out what the host cannot tell and says why, without throwing', async () => {
    const head = await repo.resolve('main');
    const gone = 'f'.repeat(40);
    const details = await set().pushDetails(
      app(),
      { ref: 'refs/heads/main', before: gone, after: head },
      OPTIONS,
    );
    expect(details?.repository).toBeDefined();
    expect(details?.commits).toBeUndefined();
    expect(details?.headCommit?.id).toBe(head);
    expect(details?.missing).toEqual([
      expect.objectContaining({ part: 'compare', code: 'forge-not-found' }),
    ]);

    github.fault({ kind: 'status', status: 502, times: 10 });
    const failing = await set().pushDetails(
      app(),
      { ref: 'refs/heads/main', before: gone, after: head },
      OPTIONS,
    );
    expect(failing?.missing.map((m) => [m.part, m.code])).toEqual([
      ['repository', 'forge-unavailable'],
      ['compare', 'forge-unavailable'],
      ['head_commit', 'forge-unavailable'],
    ]);
  });

  it('asks nothing for a plain git remote', async () => {
    const details = await set().pushDetails(
      repoConfig({ url: 'https://git.example/org/app.git', provider: 'git' }),
      { ref: 'refs/heads/main', before: null, after: 'a'.repeat(40) },
      OPTIONS,
    );
    expect(details).toBeUndefined();
    expect(github.requests).toEqual([]);
  });
});
