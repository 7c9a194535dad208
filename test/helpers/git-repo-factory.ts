/**
 * Real bare git repositories in a temp directory, built with git plumbing (no work tree, no
 * clone/push round trips), for tests, the benchmark and the demo.
 *
 *   const factory = await createGitRepoFactory();
 *   const repo = await factory.createBareRepo('org/app');      // <root>/org/app.git
 *   const c1 = await repo.commit('main', 'first');              // creates or advances main
 *   await repo.createBranch('feature', 'main');
 *   await repo.tag('v1', 'main');                               // lightweight
 *   const { tagSha, commitSha } = await repo.annotatedTag('v2', 'main', 'release');
 *   await repo.forcePush('main', await repo.commit('other', 'x'));   // non-fast-forward move
 *   await repo.deleteBranch('feature');
 *   repo.fileUrl;                                              // file:///.../org/app.git
 *   await repo.refs();                                         // what ls-remote would list (peeled)
 *   await factory.cleanup();
 *
 * Commits are deterministic in content (a counter), with a fixed identity; dates are real.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface GitRepoFactory {
  /** Directory holding every repository: serve it with createGitHttpServer({ root }). */
  readonly root: string;
  /** Creates `<root>/<name>.git` (name may contain slashes: `org/app`, `group/sub/project`). */
  createBareRepo(name: string, options?: { defaultBranch?: string }): Promise<BareRepo>;
  cleanup(): Promise<void>;
}

export interface BareRepo {
  readonly name: string;
  /** Absolute path of the bare repository. */
  readonly path: string;
  /** Path relative to the factory root, e.g. `org/app.git` (the URL path on the HTTP server). */
  readonly relativePath: string;
  readonly fileUrl: string;
  /**
   * Adds a commit on `branch` (created when missing: from `from` when given, else as a root
   * commit) and returns its sha. `files` default to one file with unique content.
   */
  commit(
    branch: string,
    message?: string,
    options?: { from?: string; files?: Record<string, string> },
  ): Promise<string>;
  /** Creates `branch` at `from` (branch name, tag or sha); returns the sha. */
  createBranch(branch: string, from: string): Promise<string>;
  /** Creates many branches at `from` in one ref transaction: `${prefix}${i}` for i in [0, count). */
  createBranches(prefix: string, count: number, from: string): Promise<string[]>;
  deleteBranch(branch: string): Promise<void>;
  /** Moves `branch` to `to` even when that is not a descendant (a force-push); returns the sha. */
  forcePush(branch: string, to: string): Promise<string>;
  /** Lightweight tag; returns the commit sha. */
  tag(name: string, target: string): Promise<string>;
  /** Annotated tag; returns the tag object's sha and the commit it points at. */
  annotatedTag(
    name: string,
    target: string,
    message?: string,
  ): Promise<{ tagSha: string; commitSha: string }>;
  deleteTag(name: string): Promise<void>;
  /** Resolves a branch, tag or sha to the commit sha. */
  resolve(rev: string): Promise<string>;
  /** refs/heads/* and refs/tags/* -> commit sha (annotated tags peeled), like the clients return. */
  refs(): Promise<Map<string, string>>;
  /** Runs any git command in the bare repository; returns trimmed stdout. */
  git(args: readonly string[], input?: string): Promise<string>;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'RepoSentry Test',
  GIT_AUTHOR_EMAIL: 'test@reposentry.invalid',
  GIT_COMMITTER_NAME: 'RepoSentry Test',
  GIT_COMMITTER_EMAIL: 'test@reposentry.invalid',
};

/** Runs git with a clean, deterministic environment (no user or system config). */
export function runGitCommand(
  args: readonly string[],
  cwd: string,
  input?: string,
): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: cwd,
    ...IDENTITY,
  };
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
        else resolve(stdout.trim());
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function createGitRepoFactory(
  options: { root?: string } = {},
): Promise<GitRepoFactory> {
  const root = options.root ?? (await mkdtemp(path.join(tmpdir(), 'reposentry-repos-')));
  return {
    root,
    async createBareRepo(name, repoOptions = {}) {
      const relativePath = `${name}.git`;
      const repoPath = path.join(root, relativePath);
      await mkdir(repoPath, { recursive: true });
      await runGitCommand(
        ['init', '--bare', '--quiet', `--initial-branch=${repoOptions.defaultBranch ?? 'main'}`],
        repoPath,
      );
      return bareRepo(name, repoPath, relativePath);
    },
    async cleanup() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

function bareRepo(name: string, repoPath: string, relativePath: string): BareRepo {
  let counter = 0;
  const git = (args: readonly string[], input?: string): Promise<string> =>
    runGitCommand(args, repoPath, input);
  const resolve = (rev: string): Promise<string> =>
    git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  const tryResolve = (rev: string): Promise<string | undefined> =>
    resolve(rev).catch(() => undefined);

  const repo: BareRepo = {
    name,
    path: repoPath,
    relativePath,
    fileUrl: pathToFileURL(repoPath).toString(),
    git,
    resolve,
    async commit(branch, message = `commit ${counter + 1} on ${branch}`, commitOptions = {}) {
      counter += 1;
      const files = commitOptions.files ?? {
        'file.txt': `${name} ${branch} ${counter} ${Date.now()}\n`,
      };
      const entries: string[] = [];
      for (const [file, content] of Object.entries(files)) {
        const blob = await git(['hash-object', '-w', '--stdin'], content);
        entries.push(`100644 blob ${blob}\t${file}`);
      }
      const tree = await git(['mktree'], entries.join('\n') + '\n');
      const parent =
        (await tryResolve(`refs/heads/${branch}`)) ??
        (commitOptions.from === undefined ? undefined : await resolve(commitOptions.from));
      const sha = await git([
        'commit-tree',
        tree,
        ...(parent ? ['-p', parent] : []),
        '-m',
        message,
      ]);
      await git(['update-ref', `refs/heads/${branch}`, sha]);
      return sha;
    },
    async createBranch(branch, from) {
      const sha = await resolve(from);
      await git(['update-ref', `refs/heads/${branch}`, sha]);
      return sha;
    },
    async createBranches(prefix, count, from) {
      const sha = await resolve(from);
      const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
      await git(
        ['update-ref', '--stdin'],
        names.map((n) => `create refs/heads/${n} ${sha}\n`).join(''),
      );
      return names;
    },
    async deleteBranch(branch) {
      await git(['update-ref', '-d', `refs/heads/${branch}`]);
    },
    async forcePush(branch, to) {
      const sha = await resolve(to);
      await git(['update-ref', `refs/heads/${branch}`, sha]);
      return sha;
    },
    async tag(tagName, target) {
      const sha = await resolve(target);
      await git(['update-ref', `refs/tags/${tagName}`, sha]);
      return sha;
    },
    async annotatedTag(tagName, target, message = `tag ${tagName}`) {
      const commitSha = await resolve(target);
      await git(['tag', '-a', tagName, commitSha, '-m', message]);
      const tagSha = await git(['rev-parse', `refs/tags/${tagName}`]);
      return { tagSha, commitSha };
    },
    async deleteTag(tagName) {
      await git(['update-ref', '-d', `refs/tags/${tagName}`]);
    },
    async refs() {
      const out = await git([
        'for-each-ref',
        '--format=%(objectname) %(*objectname) %(refname)',
        'refs/heads',
        'refs/tags',
      ]);
      const refs = new Map<string, string>();
      for (const line of out.split('\n').filter((l) => l !== '')) {
        const parts = line.split(' ');
        const ref = parts.at(-1) ?? '';
        const peeled = parts.length === 3 ? parts[1] : undefined;
        refs.set(ref, peeled || (parts[0] ?? ''));
      }
      return refs;
    },
  };
  return repo;
}
