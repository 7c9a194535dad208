/**
 * GitHub's commit and compare answers computed from a real bare repository, for the loopback
 * GitHub (fake-github.ts): GET .../commits/{sha} and GET .../compare/{base}...{head}, in the
 * shapes of the REST API (`status` ahead | behind | diverged | identical, `total_commits`,
 * `commits` oldest first and paged by per_page/page, each `{sha, html_url, commit{message,
 * author{name,email,date}, committer{...}}, author{login}|null, committer{login}|null}`).
 */
import { countCommits, hasCommit, logCommits, type LoggedCommit } from './git-commit-log.js';

export interface CommitApiContext {
  /** The bare repository the commits live in. */
  readonly gitDir: string;
  /** Web root of the repository, e.g. http://127.0.0.1:PORT/org/app. */
  readonly webUrl: string;
  /** API root of the repository, e.g. http://127.0.0.1:PORT/repos/org/app. */
  readonly apiUrl: string;
}

/** The commit, or undefined when the repository does not have it. */
export async function githubCommit(
  context: CommitApiContext,
  sha: string,
): Promise<Record<string, unknown> | undefined> {
  if (!(await hasCommit(context.gitDir, sha))) return undefined;
  const [commit] = await logCommits(context.gitDir, ['-1', sha]);
  return commit && githubCommitBody(context, commit);
}

/** The compare of base...head, or undefined when either commit is unknown. */
export async function githubCompare(
  context: CommitApiContext,
  base: string,
  head: string,
  page: number,
  perPage: number,
): Promise<Record<string, unknown> | undefined> {
  const { gitDir } = context;
  if (!(await hasCommit(gitDir, base)) || !(await hasCommit(gitDir, head))) return undefined;
  const aheadBy = await countCommits(gitDir, `${base}..${head}`);
  const behindBy = await countCommits(gitDir, `${head}..${base}`);
  const status =
    aheadBy === 0 && behindBy === 0
      ? 'identical'
      : behindBy === 0
        ? 'ahead'
        : aheadBy === 0
          ? 'behind'
          : 'diverged';
  const all = aheadBy === 0 ? [] : await logCommits(gitDir, ['--reverse', `${base}..${head}`]);
  return {
    url: `${context.apiUrl}/compare/${base}...${head}`,
    html_url: `${context.webUrl}/compare/${base}...${head}`,
    status,
    ahead_by: aheadBy,
    behind_by: behindBy,
    total_commits: aheadBy,
    commits: all
      .slice((page - 1) * perPage, page * perPage)
      .map((commit) => githubCommitBody(context, commit)),
    files: [],
  };
}

function githubCommitBody(context: CommitApiContext, c: LoggedCommit): Record<string, unknown> {
  // GitHub names the account it matched to the email; the stand-in matches by name.
  const login = (name: string) => name.toLowerCase().replace(/\s+/g, '-');
  return {
    sha: c.sha,
    node_id: Buffer.from(`Commit:${c.sha}`).toString('base64'),
    url: `${context.apiUrl}/commits/${c.sha}`,
    html_url: `${context.webUrl}/commit/${c.sha}`,
    commit: {
      message: c.message,
      author: { name: c.authorName, email: c.authorEmail, date: c.authorDate },
      committer: { name: c.committerName, email: c.committerEmail, date: c.committerDate },
    },
    author: { login: login(c.authorName), type: 'User' },
    committer: { login: login(c.committerName), type: 'User' },
    parents: [],
  };
}
