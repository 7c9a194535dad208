import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A throw-away bare repository the demo commits to with git plumbing (no work tree), the way a
 * push would change it: new commits on main, now and then a feature branch or a release tag.
 */
export class DemoRepository {
  readonly path: string;
  readonly url: string;
  private counter = 0;

  constructor(dir: string) {
    this.path = path.join(dir, 'demo-app.git');
    this.url = pathToFileURL(this.path).href;
  }

  async create(): Promise<void> {
    await mkdir(this.path, { recursive: true });
    await this.git(['init', '--quiet', '--bare', '--initial-branch=main']);
    await this.commit('main');
  }

  /** One step of the demo's activity; returns a short description of what was pushed. */
  async step(): Promise<string> {
    const n = this.counter + 1;
    if (n % 6 === 0) {
      const branch = `feature/demo-${n}`;
      await this.commit(branch, 'main');
      return `created branch ${branch}`;
    }
    if (n % 4 === 0) {
      const tag = `v0.${n}.0`;
      await this.git(['update-ref', `refs/tags/${tag}`, 'refs/heads/main']);
      this.counter = n;
      return `tagged ${tag}`;
    }
    const sha = await this.commit('main');
    return `committed ${sha.slice(0, 7)} to main`;
  }

  private async commit(branch: string, from = branch): Promise<string> {
    this.counter += 1;
    const blob = await this.git(['hash-object', '-w', '--stdin'], `demo change ${this.counter}\n`);
    const tree = await this.git(['mktree'], `100644 blob ${blob}\tREADME.md\n`);
    const parent = await this.git(['rev-parse', '--verify', '--quiet', `refs/heads/${from}`]).catch(
      () => '',
    );
    const args = ['commit-tree', tree, '-m', `Demo change ${this.counter}`];
    if (parent !== '') args.push('-p', parent);
    const sha = await this.git(args);
    await this.git(['update-ref', `refs/heads/${branch}`, sha]);
    return sha;
  }

  private git(args: readonly string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        ['-C', this.path, ...args],
        {
          env: {
            PATH: process.env.PATH,
            GIT_AUTHOR_NAME: 'RepoSentry Demo',
            GIT_AUTHOR_EMAIL: 'demo@reposentry.invalid',
            GIT_COMMITTER_NAME: 'RepoSentry Demo',
            GIT_COMMITTER_EMAIL: 'demo@reposentry.invalid',
          },
        },
        (err, stdout) =>
          err
            ? reject(new Error(`git ${args[0] ?? ''} failed: ${err.message}`))
            : resolve(stdout.trim()),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  }
}
