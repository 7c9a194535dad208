import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../../test/helpers/capture-logger.js';
import { createGitHttpServer, type GitHttpServer } from '../../../test/helpers/git-http-server.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../../../test/helpers/git-repo-factory.js';
import { repoConfig } from '../../../test/gitclient/fixtures.js';
import { GitVersionProbe } from './git-version-probe.js';
import { LsRemoteClient } from './ls-remote-client.js';

const TOKEN = 'old-git-secret-token-7c3d1e';

describe('LsRemoteClient and the version of git', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let locked: GitHttpServer;
  let bin: string;
  let realGit: string;
  let expected: Map<string, string>;
  let fakes = 0;

  beforeAll(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('org/app');
    await repo.commit('main');
    expected = await repo.refs();
    locked = await createGitHttpServer({ root: factory.root, auth: { password: TOKEN } });
    bin = await mkdtemp(path.join(tmpdir(), 'rs-fake-git-'));
    realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  });

  afterAll(async () => {
    await locked.close();
    await factory.cleanup();
    await rm(bin, { recursive: true, force: true });
  });

  /**
   * A git that prints `versionLine` for `--version` and is the real git otherwise (so it can
   * really list refs, and, like a real git older than 2.31, it is only told it is old); every
   * argv it gets is recorded.
   */
  async function fakeGit(versionLine: string) {
    fakes += 1;
    const file = path.join(bin, `git-${fakes}`);
    const log = `${file}.argv`;
    await writeFile(log, '');
    await writeFile(
      file,
      [
        '#!/bin/sh',
        `printf '%s\\n' "$*" >> '${log}'`,
        `if [ "$1" = "--version" ]; then echo '${versionLine}'; exit 0; fi`,
        `exec '${realGit}' "$@"`,
        '',
      ].join('\n'),
    );
    await chmod(file, 0o755);
    return {
      path: file,
      calls: async () => (await readFile(log, 'utf8')).split('\n').filter((l) => l !== ''),
    };
  }

  function client(gitBinary: string, extra: { gitVersion?: GitVersionProbe } = {}) {
    const capture = createCaptureLogger();
    const lsRemote = new LsRemoteClient({
      log: capture.log,
      retryAttempts: 0,
      retryBackoffMs: 10,
      gitBinary,
      ...extra,
    });
    return { lsRemote, capture };
  }

  const signal = new AbortController().signal;
  const credentialed = () =>
    repoConfig({ provider: 'git', url: locked.urlFor('org/app.git'), token: TOKEN });

  it('fails a credentialed ls-remote on git 2.30 with a clear error, before git runs', async () => {
    const git = await fakeGit('git version 2.30.0');
    const { lsRemote, capture } = client(git.path);
    const requestsBefore = locked.requests.length;
    const error = await lsRemote
      .listRefs(credentialed(), { includeTags: false, signal })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'git-command-failed', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain('git 2.30 is too old to pass credentials safely');
    expect(message).toContain('git 2.31 or newer is needed');
    expect(message).not.toContain(TOKEN);
    expect(capture.text()).not.toContain(TOKEN);
    expect(await git.calls()).toEqual(['--version']);
    expect(locked.requests.length).toBe(requestsBefore);
  });

  it('reads vendor version strings: git 2.30.1.windows.1 is too old as well', async () => {
    const git = await fakeGit('git version 2.30.1.windows.1');
    const { lsRemote } = client(git.path);
    await expect(lsRemote.listRefs(credentialed(), { includeTags: false, signal })).rejects.toThrow(
      /git 2\.30 is too old to pass credentials safely/,
    );
  });

  it('still lists a repository without credentials on git 2.30, without asking its version', async () => {
    const git = await fakeGit('git version 2.30.0');
    const { lsRemote } = client(git.path);
    const listing = await lsRemote.listRefs(repoConfig({ provider: 'git', url: repo.fileUrl }), {
      includeTags: true,
      signal,
    });
    expect(listing.refs).toEqual(expected);
    const calls = await git.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^ls-remote /);
  });

  it('passes credentials through git 2.31, asking its version once for every client sharing the probe', async () => {
    const git = await fakeGit('git version 2.31.0');
    const probe = new GitVersionProbe({ gitBinary: git.path });
    const first = client(git.path, { gitVersion: probe }).lsRemote;
    const second = client(git.path, { gitVersion: probe }).lsRemote;
    for (const lsRemote of [first, second, first]) {
      const listing = await lsRemote.listRefs(credentialed(), { includeTags: true, signal });
      expect(listing.refs).toEqual(expected);
    }
    expect(locked.requests.some((r) => r.authorized === true)).toBe(true);
    const calls = await git.calls();
    expect(calls.filter((c) => c === '--version')).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('ls-remote '))).toHaveLength(3);
    for (const call of calls) expect(call).not.toContain(TOKEN);
  });

  it('warns once and goes on when git does not say which version it is', async () => {
    const git = await fakeGit('git version unknown');
    const { lsRemote, capture } = client(git.path);
    for (let i = 0; i < 2; i += 1) {
      const listing = await lsRemote.listRefs(credentialed(), { includeTags: true, signal });
      expect(listing.refs).toEqual(expected);
    }
    const warnings = capture.entries().filter((e) => e.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/version of git/i);
    expect((await git.calls()).filter((c) => c === '--version')).toHaveLength(1);
  });
});
