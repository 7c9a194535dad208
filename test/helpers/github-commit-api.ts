/**
 * GitHub's commit and compare answers computed from a real bare repository, for the loopback
 * GitHub (fake-github.ts): GET .../commits/{sha} and GET .../compare/{base}...{head}, in the
 * shapes of the REST API (`status` ahead | behind | diverged | identical, `total_commits`,
 * `commits` oldest first and paged by per_page/page, each `{sha, html_url, commit{message,
 * author{name,email,date}, committer{...}}, author{login}|null, committer{login}|null}`).
 */
import { runGitCommand } from './git-repo-factory.js';

export interface CommitApiContext {
  /** The bare repository the commits live in. */
  readonly gitDir: string;
  /** Web root of the repository, e.g. http://127.0.0.1:PORT/org/app. */
  readonly webUrl: string;
  /** API root of the repository, e.g. http://127.0.0.1:PORT/repos/org/app. */
  readonly apiUrl: string;
}

const FIELDS = ['%H', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'];

/** The commit, or undefined when the repository does not have it. */
export async function githubCommit(
  context: CommitApiContext,
  sha: string,
): Promise<Record<string, unknown> | undefined> {
  if (!(await exists(context.gitDir, sha))) return undefined;
  const [commit] = await commitsOf(context, ['-1', sha]);
  return commit;
}

/** The compare of base...head, or undefined when either commit is unknown. */
export async function githubCompare(
  context: CommitApiContext,
  base: string,
  head: string,
  page: number,
  perPage: number,
): Promise<Record<string, unknown> | undefined> {
  if (!(await exists(context.gitDir, base)) || !(await exists(context.gitDir, head)))
    return undefined;
  const count = async (range: string): Promise<number> =>
    Number(await runGitCommand(['rev-list', '--count', range], context.gitDir));
  const aheadBy = await count(`${base}..${head}`);
  const behindBy = await count(`${head}..${base}`);
  const status =
    aheadBy === 0 && behindBy === 0
      ? 'identical'
      : behindBy === 0
        ? 'ahead'
        : aheadBy === 0
          ? 'behind'
          : 'diverged';
  const all = aheadBy === 0 ? [] : await commitsOf(context, ['--reverse', `${base}..${head}`]);
  return {
    url: `${context.apiUrl}/compare/${base}...${head}`,
    html_url: `${context.webUrl}/compare/${base}...${head}`,
    status,
    ahead_by: aheadBy,
    behind_by: behindBy,
    total_commits: aheadBy,
    commits: all.slice((page - 1) * perPage, page * perPage),
    files: [],
  };
}

async function exists(gitDir: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{4,40}$/.test(sha)) return false;
  return runGitCommand(['cat-file', '-e', `${sha}^{commit}`], gitDir).then(
    () => true,
    () => false,
  );
}

async function commitsOf(
  context: CommitApiContext,
  args: readonly string[],
): Promise<Record<string, unknown>[]> {
  const out = await runGitCommand(
    ['log', `--format=${FIELDS.join('%x00')}%x01`, ...args],
    context.gitDir,
  );
  return out
    .split('\x01')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record !== '')
    .map((record) => {
      const [sha = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', message = ''] =
        record.split('\x00');
      return {
        sha,
        node_id: Buffer.from(`Commit:${sha}`).toString('base64'),
        url: `${context.apiUrl}/commits/${sha}`,
        html_url: `${context.webUrl}/commit/${sha}`,
        commit: {
          message: message.replace(/\n+$/, ''),
          author: { name: an, email: ae, date: ad },
          committer: { name: cn, email: ce, date: cd },
        },
        // GitHub names the account it matched to the email; the stand-in matches by name.
        author: { login: an.toLowerCase().replace(/\s+/g, '-'), type: 'User' },
        committer: { login: cn.toLowerCase().replace(/\s+/g, '-'), type: 'User' },
        parents: [],
      };
    });
}
