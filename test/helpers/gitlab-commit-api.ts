/**
 * GitLab's commit and compare answers computed from a real bare repository, for the loopback
 * GitLab (fake-gitlab.ts): GET /projects/:id/repository/commits/:sha and
 * GET /projects/:id/repository/compare?from&to, in the shapes of the REST API v4 (`commits`
 * oldest first, each `{id, short_id, title, message, author_name, author_email, authored_date,
 * committer_name, committer_email, committed_date, web_url}`; `diffs` left empty).
 */
import { hasCommit, logCommits, type LoggedCommit } from './git-commit-log.js';

/** The commit, or undefined when the repository does not have it. */
export async function gitlabCommit(
  gitDir: string,
  webUrl: string,
  sha: string,
): Promise<Record<string, unknown> | undefined> {
  if (!(await hasCommit(gitDir, sha))) return undefined;
  const [commit] = await logCommits(gitDir, ['-1', sha]);
  return commit && gitlabCommitBody(webUrl, commit);
}

/** The compare of from...to, or undefined when either commit is unknown. */
export async function gitlabCompare(
  gitDir: string,
  webUrl: string,
  from: string,
  to: string,
): Promise<Record<string, unknown> | undefined> {
  if (!(await hasCommit(gitDir, from)) || !(await hasCommit(gitDir, to))) return undefined;
  const commits = await logCommits(gitDir, ['--reverse', `${from}..${to}`]);
  const last = commits.at(-1);
  return {
    commit: last ? gitlabCommitBody(webUrl, last) : null,
    commits: commits.map((commit) => gitlabCommitBody(webUrl, commit)),
    diffs: [],
    compare_timeout: false,
    compare_same_ref: from === to,
    web_url: `${webUrl}/-/compare/${from}...${to}`,
  };
}

function gitlabCommitBody(webUrl: string, c: LoggedCommit): Record<string, unknown> {
  return {
    id: c.sha,
    short_id: c.sha.slice(0, 8),
    created_at: c.committerDate,
    parent_ids: [],
    title: c.message.split('\n')[0] ?? '',
    message: `${c.message}\n`,
    author_name: c.authorName,
    author_email: c.authorEmail,
    authored_date: c.authorDate,
    committer_name: c.committerName,
    committer_email: c.committerEmail,
    committed_date: c.committerDate,
    trailers: {},
    web_url: `${webUrl}/-/commit/${c.sha}`,
  };
}
