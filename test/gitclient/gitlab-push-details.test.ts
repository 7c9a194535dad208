import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { clientConfig, repoConfig } from './fixtures.js';

const TOKEN = 'glpat-fakeGitlabToken0123456789';
const OPTIONS = { signal: new AbortController().signal, timeoutMs: 5_000 };

describe('GitLab push details (compare, commit, project) against the loopback GitLab', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let gitlab: FakeGitlab;
  const clients = createGitClients({
    config: clientConfig(),
    log: createCaptureLogger().log,
    httpCache: new MemoryHttpCache(),
  });
  const app = () =>
    repoConfig({
      url: `${gitlab.url}/group/sub/app`,
      provider: 'gitlab',
      token: TOKEN,
    });

  beforeAll(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('group/sub/app');
    await repo.commit('main', 'base');
    gitlab = await createFakeGitlab({ token: TOKEN });
    gitlab.setProject('group/sub/app', await repo.refs());
    gitlab.setGitDir('group/sub/app', repo.path);
    gitlab.setVisibility('group/sub/app', 'internal');
  });
  afterEach(() => {
    gitlab.fault(undefined);
    gitlab.resetStats();
  });
  afterAll(async () => {
    await gitlab.close();
    await factory.cleanup();
  });

  it('reads an update: the project, the commits oldest first and the head commit', async () => {
    const before = await repo.resolve('main');
    const one = await repo.commit('main', 'feat: one');
    const two = await repo.commit('main', 'fix: two\n\nWith a body.');
    const details = await clients.pushDetails(
      app(),
      { ref: 'refs/heads/main', before, after: two },
      OPTIONS,
    );
    expect(details?.missing).toEqual([]);
    expect(details?.repository).toEqual({
      id: expect.any(Number),
      private: true,
      visibility: 'internal',
      defaultBranch: 'main',
    });
    expect(details?.commits?.map((c) => [c.id, c.message])).toEqual([
      [one, 'feat: one\n'],
      [two, 'fix: two\n\nWith a body.\n'],
    ]);
    expect(details?.totalCommits).toBe(2);
    expect(details?.forced).toBeUndefined();
    expect(details?.headCommit).toMatchObject({
      id: two,
      url: `${gitlab.url}/group/sub/app/-/commit/${two}`,
      author: { name: 'RepoSentry Test', email: 'test@reposentry.invalid' },
    });
    expect(details?.compareUrl).toBe(`${gitlab.url}/group/sub/app/-/compare/${before}...${two}`);
    expect(details?.cost.requests).toBe(2);

    // The project is kept: a second change asks for its commit only.
    gitlab.resetStats();
    const created = await clients.pushDetails(
      app(),
      { ref: 'refs/tags/v1', before: null, after: one },
      OPTIONS,
    );
    expect(created?.headCommit?.id).toBe(one);
    expect(gitlab.requests.map((r) => r.path)).toEqual([
      `/api/v4/projects/${details?.repository?.id}/repository/commits/${one}`,
    ]);
  });

  it('leaves out a compare GitLab cannot make and says why', async () => {
    const head = await repo.resolve('main');
    const details = await clients.pushDetails(
      app(),
      { ref: 'refs/heads/main', before: 'f'.repeat(40), after: head },
      OPTIONS,
    );
    expect(details?.missing).toEqual([
      expect.objectContaining({ part: 'compare', code: 'forge-not-found' }),
    ]);
    expect(details?.headCommit?.id).toBe(head);
  });
});
