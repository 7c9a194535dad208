import type { CommitDetails, RepositoryDetails } from '../../events/push-details.js';
import type { HttpCacheEntry } from '../http-cache.js';
import {
  isJsonObject as isObject,
  textOf as text,
  type JsonObject as Json,
} from '../../lib/json-shape.js';

/**
 * Readers of the GitHub REST shapes push details come from: a repository (GET /repos/{o}/{r}),
 * a commit (GET .../commits/{sha}, and each entry of a compare's `commits`) and a compare
 * (GET .../compare/{base}...{head}). Each returns undefined when the body is not that shape.
 */

export function parseGithubRepository(data: unknown): RepositoryDetails | undefined {
  if (!isObject(data)) return undefined;
  const { id, private: isPrivate, default_branch: defaultBranch } = data;
  if (typeof id !== 'number' || typeof isPrivate !== 'boolean' || typeof defaultBranch !== 'string')
    return undefined;
  return { id, private: isPrivate, defaultBranch };
}

export function parseGithubCommit(data: unknown): CommitDetails | undefined {
  if (!isObject(data) || !isObject(data['commit'])) return undefined;
  const commit = data['commit'];
  const id = text(data['sha']);
  const url = text(data['html_url']);
  const message = text(commit['message']);
  const author = person(commit['author'], data['author']);
  const committer = person(commit['committer'], data['committer']);
  if (!id || url === undefined || message === undefined || !author || !committer) return undefined;
  return { id, message, timestamp: author.date, url, author: author.who, committer: committer.who };
}

/** `commit.author` (name, email, date) and the top-level `author` (the matched account or null). */
function person(
  gitPerson: unknown,
  account: unknown,
): { who: CommitDetails['author']; date: string } | undefined {
  if (!isObject(gitPerson)) return undefined;
  const name = text(gitPerson['name']);
  const email = text(gitPerson['email']);
  const date = text(gitPerson['date']);
  if (name === undefined || email === undefined || date === undefined) return undefined;
  const login = isObject(account) ? text(account['login']) : undefined;
  return { who: { name, email, ...(login ? { username: login } : {}) }, date };
}

export interface GithubCompare {
  readonly status: 'ahead' | 'behind' | 'diverged' | 'identical';
  readonly totalCommits: number;
  readonly htmlUrl: string;
  /** This page's commits, oldest first. */
  readonly commits: readonly CommitDetails[];
}

const COMPARE_STATUSES = new Set(['ahead', 'behind', 'diverged', 'identical']);

export function parseGithubCompare(data: unknown): GithubCompare | undefined {
  if (!isObject(data) || !Array.isArray(data['commits'])) return undefined;
  const status = text(data['status']);
  const totalCommits = data['total_commits'];
  const htmlUrl = text(data['html_url']);
  if (!status || !COMPARE_STATUSES.has(status)) return undefined;
  if (typeof totalCommits !== 'number' || htmlUrl === undefined) return undefined;
  const commits: CommitDetails[] = [];
  for (const entry of data['commits'] as unknown[]) {
    const parsed = parseGithubCommit(entry);
    if (parsed === undefined) return undefined;
    commits.push(parsed);
  }
  return { status: status as GithubCompare['status'], totalCommits, htmlUrl, commits };
}

/** Cache body of the repository answer: `{"v":1,"id":N,"private":bool,"default_branch":"main"}`. */
export function encodeRepository(etag: string, repository: RepositoryDetails): HttpCacheEntry {
  return {
    etag,
    body: JSON.stringify({
      v: 1,
      id: repository.id,
      private: repository.private,
      default_branch: repository.defaultBranch,
    }),
  };
}

export function decodeRepository(
  entry: HttpCacheEntry | undefined,
): { etag: string; repository: RepositoryDetails } | undefined {
  if (entry === undefined || entry.etag === '') return undefined;
  try {
    const parsed = JSON.parse(entry.body) as Json;
    const repository = parsed['v'] === 1 ? parseGithubRepository(parsed) : undefined;
    return repository && { etag: entry.etag, repository };
  } catch {
    return undefined;
  }
}
