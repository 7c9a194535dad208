import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { createGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { waitFor } from '../helpers/wait-for.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'git-host-fault-secret';

describe('Git host faults', () => {
  let factory: GitRepoFactory;
  let app: BareRepo;
  let lib: BareRepo;
  let git: GitHttpServer;
  let github: FakeGithub;
  let receiver: WebhookReceiver;
  let dataDir: string;
  let daemon: TestDaemon | undefined;

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    app = await factory.createBareRepo('org/app');
    lib = await factory.createBareRepo('org/lib');
    await app.commit('main', 'first');
    await lib.commit('main', 'first');
    git = await createGitHttpServer({ root: factory.root });
    github = await createFakeGithub();
    github.setRepo('org/app', await app.refs());
    github.setRepo('org/lib', await lib.refs());
    receiver = await createWebhookReceiver({ secret: SECRET });
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-git-fault-'));
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await Promise.all([receiver.close(), github.close(), git.close()]);
    await factory.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  const onGithub = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    url: git.urlFor(`org/${name}.git`),
    provider: 'github',
    api_base_url: github.url,
    branch_regex: '.*',
    tag_regex: '.*',
    ...extra,
  });

  async function start(
    polling: Record<string, unknown> = {},
    repos: Record<string, unknown>[] = [onGithub('app'), onGithub('lib')],
  ) {
    daemon = await startTestDaemon({
      app: { data_dir: dataDir },
      polling: { interval: '1s', jitter: 0, ...polling },
      tekton: {
        event_listener_url: receiver.url,
        secret: SECRET,
        retry_backoff: '100ms',
        max_retry_backoff: '200ms',
      },
      repositories: repos,
    });
    await waitFor(async () => {
      const { storage } = daemon!.daemon;
      const polls = await Promise.all(repos.map((r) => storage.pollStates.get(r.name as string)));
      return polls.every((poll) => poll?.lastSuccessAt);
    });
  }

  async function push(repo: BareRepo, name: string, change: (repo: BareRepo) => Promise<unknown>) {
    await change(repo);
    github.setRepo(`org/${name}`, await repo.refs());
  }

  it('reports a deleted repository with its own error, and keeps delivering the others', async () => {
    await start();
    github.removeRepo('org/app');
    await rm(app.path, { recursive: true, force: true });
    const sha = await lib.commit('main', 'still alive');
    github.setRepo('org/lib', await lib.refs());
    await receiver.waitFor((requests) => requests.some((r) => r.json.after === sha));
    await waitFor(
      async () =>
        (await daemon!.daemon.storage.pollStates.get('app'))?.lastErrorCode === 'forge-not-found',
    );
    const repos = (await (await fetch(`${daemon!.baseUrl}/api/v1/repositories`)).json()) as {
      repositories: { name: string; lastError: { code: string; message: string } | null }[];
    };
    const broken = repos.repositories.find((r) => r.name === 'app');
    expect(broken?.lastError?.code).toBe('forge-not-found');
    expect(broken?.lastError?.message).toContain('app');
    expect(repos.repositories.find((r) => r.name === 'lib')?.lastError).toBeNull();
    expect(
      receiver.requests.every(
        (r) => r.json.repository && (r.json.repository as { name: string }).name === 'lib',
      ),
    ).toBe(true);
  }, 30_000);

  it('waits for the rate-limit reset without the fallback, and loses nothing', async () => {
    await start({ enable_api_fallback: false });
    const resetAt = Date.now() + 2_500;
    github.quota.exhaust(new Date(resetAt));
    github.resetStats();
    const sha = await app.commit('main', 'during the rate limit');
    github.setRepo('org/app', await app.refs());
    await receiver.waitFor((requests) => requests.some((r) => r.json.after === sha), 15_000);
    // Nothing could be read before the reset, and the daemon did not hammer the wall meanwhile.
    expect(Date.now()).toBeGreaterThanOrEqual(resetAt);
    expect(github.stats.byStatus[403] ?? 0).toBeLessThanOrEqual(2);
    expect(receiver.deliveredIds()).toHaveLength(1);
  }, 30_000);

  it('handles refs with slashes, unicode and very long names, through the API and ls-remote', async () => {
    await start({}, [
      onGithub('app'),
      { name: 'lib', url: lib.fileUrl, provider: 'git', branch_regex: '.*', tag_regex: '.*' },
    ]);
    const names = [
      'feature/a/b/c/d',
      'fix/ünïcödé-☃-分支',
      `long/${'x'.repeat(200)}`,
      'weird.name_with-chars+1',
    ];
    for (const name of names) {
      await push(app, 'app', (r) => r.createBranch(name, 'main'));
      await lib.createBranch(name, 'main');
    }
    await push(app, 'app', (r) => r.tag('v1.0.0-rc.1+build.5', 'main'));
    const expected = [...names.map((n) => `refs/heads/${n}`), 'refs/tags/v1.0.0-rc.1+build.5'];
    await receiver.waitFor((requests) => requests.length >= expected.length + names.length, 20_000);
    const refsOf = (repo: string) =>
      receiver.requests
        .filter((r) => (r.json.repository as { name: string }).name === repo)
        .map((r) => r.json.ref as string)
        .sort();
    expect(refsOf('app')).toEqual([...expected].sort());
    expect(refsOf('lib')).toEqual(names.map((n) => `refs/heads/${n}`).sort());
    expect(receiver.requests.every((r) => r.signatureValid === true)).toBe(true);
  }, 40_000);

  it('reads all 5,000 branches and reports the one that moved', async () => {
    await app.createBranches('bulk/', 5_000, 'main');
    github.setRepo('org/app', await app.refs());
    await start({ interval: '2s' }, [onGithub('app', { tag_regex: undefined })]);
    expect((await daemon!.daemon.storage.refStates.counts()).get('app')).toBe(5_001);
    const sha = await push(app, 'app', (r) => r.commit('bulk/4321', 'moved'));
    void sha;
    await receiver.waitFor((requests) => requests.length >= 1, 20_000);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(receiver.requests.map((r) => r.json.ref)).toEqual(['refs/heads/bulk/4321']);
  }, 60_000);
});
