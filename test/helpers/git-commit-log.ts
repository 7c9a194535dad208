/**
 * Commits read from a bare repository with `git log`, for the loopback forges' commit and compare
 * answers (github-commit-api.ts, gitlab-commit-api.ts).
 */
import { runGitCommand } from './git-repo-factory.js';

export interface LoggedCommit {
  readonly sha: string;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly authorDate: string;
  readonly committerName: string;
  readonly committerEmail: string;
  readonly committerDate: string;
  /** The whole message, without trailing newlines. */
  readonly message: string;
}

const FIELDS = ['%H', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'];

/** `git log` with `args` (a range, `-1 <sha>`, `--reverse`...). */
export async function logCommits(gitDir: string, args: readonly string[]): Promise<LoggedCommit[]> {
  const out = await runGitCommand(['log', `--format=${FIELDS.join('%x00')}%x01`, ...args], gitDir);
  return out
    .split('\x01')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record !== '')
    .map((record) => {
      const [sha = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', message = ''] =
        record.split('\x00');
      return {
        sha,
        authorName: an,
        authorEmail: ae,
        authorDate: ad,
        committerName: cn,
        committerEmail: ce,
        committerDate: cd,
        message: message.replace(/\n+$/, ''),
      };
    });
}

/** Whether the repository has the commit `sha` (a full or abbreviated hex sha). */
export async function hasCommit(gitDir: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{4,40}$/.test(sha)) return false;
  return runGitCommand(['cat-file', '-e', `${sha}^{commit}`], gitDir).then(
    () => true,
    () => false,
  );
}

/** How many commits `range` (`a..b`) holds. */
export async function countCommits(gitDir: string, range: string): Promise<number> {
  return Number(await runGitCommand(['rev-list', '--count', range], gitDir));
}
