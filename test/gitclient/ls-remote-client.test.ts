import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import {
  clientConfig,
  processesMentioning,
  rejectionOf,
  repoConfig,
  tokenForms,
  waitUntil,
} from './fixtures.js';

const TOKEN = 'lsr-secret-token-5f1e2d';

describe('git ls-remote client', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let open: GitHttpServer;
  let locked: GitHttpServer;
  let expected: Map<string, string>;
  let annotated: { tagSha: string; commitSha: string };

  beforeAll(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('org/app');
    const first = await repo.commit('main');
    await repo.commit('main');
    await repo.createBranch('release/1.x', first);
    await repo.tag('v0.9', first);
    annotated = await repo.annotatedTag('v1.0', 'main', 'release 1.0');
    expected = await repo.refs();
    open = await createGitHttpServer({ root: factory.root });
    locked = await createGitHttpServer({ root: factory.root, auth: { password: TOKEN } });
  });

  afterAll(async () => {
    await open.close();
    await locked.close();
    await factory.cleanup();
  });

  function clients(timeoutMs = 10_000) {
    const capture = createCaptureLogger();
    const set = createGitClients({
      config: clientConfig({ polling: { timeoutMs } }),
      log: capture.log,
      httpCache: new MemoryHttpCache(),
    });
    return { set, capture };
  }

  it('lists branches and peeled tags of a file:// repository', async () => {
    const { set } = clients();
    const listing = await set.listRefs(repoConfig({ provider: 'git', url: repo.fileUrl }), {
      includeTags: true,
      signal: new AbortController().signal,
    });
    expect(listing.via).toBe('ls-remote');
    expect(listing.refs).toEqual(expected);
    expect(listing.refs.get('refs/tags/v1.0')).toBe(annotated.commitSha);
    expect(listing.refs.get('refs/tags/v1.0')).not.toBe(annotated.tagSha);
    expect(listing.cost).toEqual({ requests: 1, quotaUnits: 0, notModified: 0 });
  });

  it('leaves tags out unless asked for', async () => {
    const { set } = clients();
    const listing = await set.listRefs(repoConfig({ provider: 'git', url: repo.fileUrl }), {
      includeTags: false,
      signal: new AbortController().signal,
    });
    expect([...listing.refs.keys()].sort()).toEqual(['refs/heads/main', 'refs/heads/release/1.x']);
  });

  it('lists a repository served by git http-backend without a password', async () => {
    const { set } = clients();
    const listing = await set.listRefs(
      repoConfig({ provider: 'git', url: open.urlFor('org/app.git') }),
      {
        includeTags: true,
        signal: new AbortController().signal,
      },
    );
    expect(listing.refs).toEqual(expected);
  });

  it('authenticates to a password-protected server with the token through the environment', async () => {
    const { set, capture } = clients();
    const listing = await set.listRefs(
      repoConfig({ provider: 'git', url: locked.urlFor('org/app.git'), token: TOKEN }),
      { includeTags: true, signal: new AbortController().signal },
    );
    expect(listing.refs).toEqual(expected);
    expect(locked.requests.some((r) => r.authorized === true)).toBe(true);
    for (const form of tokenForms(TOKEN)) expect(capture.text()).not.toContain(form);
  });

  it('uses the username of the URL and keeps it out of the URL given to git', async () => {
    const strict = await createGitHttpServer({
      root: factory.root,
      auth: { username: 'alice', password: TOKEN },
    });
    try {
      const { set } = clients();
      const url = strict.urlFor('org/app.git').replace('http://', 'http://alice@');
      const listing = await set.listRefs(repoConfig({ provider: 'git', url, token: TOKEN }), {
        includeTags: false,
        signal: new AbortController().signal,
      });
      expect(listing.refs.get('refs/heads/main')).toBe(expected.get('refs/heads/main'));
      expect(strict.requests.at(-1)?.user).toBe('alice');
    } finally {
      await strict.close();
    }
  });

  it('reports a wrong token as forge-unauthorized without the token in the message', async () => {
    const { set, capture } = clients();
    const wrong = 'wrong-token-9a8b7c';
    const error = await rejectionOf(
      set.listRefs(
        repoConfig({ provider: 'git', url: locked.urlFor('org/app.git'), token: wrong }),
        {
          includeTags: false,
          signal: new AbortController().signal,
        },
      ),
    );
    expect(error).toMatchObject({ code: 'forge-unauthorized' });
    for (const form of [...tokenForms(wrong), ...tokenForms(TOKEN)]) {
      expect(error.message).not.toContain(form);
      expect(capture.text()).not.toContain(form);
    }
  });

  it('reports a missing repository as forge-not-found', async () => {
    const { set } = clients();
    await expect(
      set.listRefs(repoConfig({ provider: 'git', url: `${repo.fileUrl}-missing` }), {
        includeTags: false,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'forge-not-found' });
  });

  it('never puts the token in the argv of git or its helpers, and cancel kills them all', async () => {
    const hanging = await createGitHttpServer({ root: factory.root, auth: { password: TOKEN } });
    try {
      hanging.hang(true);
      const { set } = clients();
      const controller = new AbortController();
      const url = hanging.urlFor('org/app.git');
      const pending = set
        .listRefs(repoConfig({ provider: 'git', url, token: TOKEN }), {
          includeTags: true,
          signal: controller.signal,
        })
        .catch((err: unknown) => err);
      await hanging.waitForRequest(1);
      const children = processesMentioning(url);
      expect(children.map((c) => c.cmdline).join('\n')).toMatch(/ls-remote|remote-http/);
      for (const child of children) {
        for (const form of tokenForms(TOKEN)) expect(child.cmdline).not.toContain(form);
      }
      controller.abort();
      expect(await pending).toMatchObject({ code: 'cancelled' });
      expect(await waitUntil(() => processesMentioning(url).length === 0)).toBe(true);
    } finally {
      await hanging.close();
    }
  });

  it('kills a hanging ls-remote at polling.timeout and reports git-timeout', async () => {
    const hanging = await createGitHttpServer({ root: factory.root });
    try {
      hanging.hang(true);
      const { set } = clients(700);
      const url = hanging.urlFor('org/app.git');
      const started = Date.now();
      const error = await set
        .listRefs(repoConfig({ provider: 'git', url }), {
          includeTags: false,
          signal: new AbortController().signal,
        })
        .catch((err: unknown) => err);
      expect(error).toMatchObject({ code: 'git-timeout' });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await waitUntil(() => processesMentioning(url).length === 0)).toBe(true);
    } finally {
      await hanging.close();
    }
  });
});
