import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitClients } from '../../src/gitclient/create-git-clients.js';
import { MemoryHttpCache } from '../../src/gitclient/http-cache.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import { createFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab.js';
import { clientConfig, repoConfig } from './fixtures.js';

const SHA = 'a'.repeat(40);
const NEW_SHA = 'b'.repeat(40);

/** Exactly `count` refs under `prefix` (`refs/heads/` or `refs/tags/`), names sorting before `z`. */
function fullPage(prefix: string, count = 100): Map<string, string> {
  return new Map(
    Array.from({ length: count }, (_, i) => [`${prefix}r${String(i).padStart(3, '0')}`, SHA]),
  );
}

/**
 * A listing that is exactly one full page (100 refs) gains a ref that sorts last: page 1 is
 * unchanged (a 304 for GitHub), the new ref is alone on page 2. It must still be seen.
 */
describe.each([
  ['branches', 'refs/heads/'],
  ['tags', 'refs/tags/'],
] as const)('a new %s behind an exactly full first page', (_kind, prefix) => {
  let github: FakeGithub;
  let gitlab: FakeGitlab;
  beforeAll(async () => {
    github = await createFakeGithub();
    gitlab = await createFakeGitlab();
  });
  afterAll(async () => {
    await github.close();
    await gitlab.close();
  });

  const signal = (): AbortSignal => new AbortController().signal;
  const base = (): Map<string, string> =>
    prefix === 'refs/heads/'
      ? fullPage(prefix)
      : new Map([['refs/heads/main', SHA], ...fullPage(prefix)]);
  /** With a ref that the forge lists last: GitHub lists tags newest name first, the rest A-Z. */
  const grown = (lastName: string): Map<string, string> =>
    new Map([...base(), [`${prefix}${lastName}`, NEW_SHA]]);
  const githubLast = prefix === 'refs/tags/' ? '0-lists-last' : 'zz-lists-last';
  const clients = () =>
    createGitClients({
      config: clientConfig({ polling: { enableApiFallback: false } }),
      log: createCaptureLogger().log,
      httpCache: new MemoryHttpCache(),
    });
  const includeTags = prefix === 'refs/tags/';

  it('is listed by the GitHub client, whose first page answers 304', async () => {
    github.setRepo('org/full', base());
    const set = clients();
    const repo = repoConfig({ url: 'https://github.com/org/full', apiBaseUrl: github.url });
    const first = await set.listRefs(repo, { includeTags, signal: signal() });
    expect(first.refs).toEqual(base());

    github.setRepo('org/full', grown(githubLast));
    github.resetStats();
    const second = await set.listRefs(repo, { includeTags, signal: signal() });
    expect(github.stats.notModified).toBeGreaterThan(0);
    expect(second.refs).toEqual(grown(githubLast));
    expect(second.unchanged).toBe(false);

    // Once known, the empty-again page 2 is a cheap 304 too: an unchanged repository stays free.
    github.setRepo('org/full', base());
    await set.listRefs(repo, { includeTags, signal: signal() });
    github.resetStats();
    const quiet = await set.listRefs(repo, { includeTags, signal: signal() });
    expect(quiet.refs).toEqual(base());
    expect(quiet.unchanged).toBe(true);
    expect(github.stats.quotaRequests).toBe(0);
  });

  it('is listed by the GitLab client', async () => {
    gitlab.setProject('group/full', base());
    const set = clients();
    const repo = repoConfig({ provider: 'gitlab', url: `${gitlab.url}/group/full.git` });
    expect((await set.listRefs(repo, { includeTags, signal: signal() })).refs).toEqual(base());
    gitlab.setProject('group/full', grown('zz-lists-last'));
    expect((await set.listRefs(repo, { includeTags, signal: signal() })).refs).toEqual(
      grown('zz-lists-last'),
    );
  });
});
