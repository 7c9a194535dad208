import type { CommitDetails, RepositoryDetails } from '../../events/push-details.js';
import { isJsonObject as isObject, textOf as text } from '../../lib/json-shape.js';

/**
 * Readers of the GitLab REST shapes push details come from: a project (GET /projects/:id), a
 * commit (GET /projects/:id/repository/commits/:sha, and each entry of a compare's `commits`) and
 * a compare (GET /projects/:id/repository/compare?from&to). Undefined when the body is not that.
 */

const VISIBILITIES = new Set(['private', 'internal', 'public']);

export function parseGitlabProject(data: unknown): RepositoryDetails | undefined {
  if (!isObject(data)) return undefined;
  const { id, visibility, default_branch: defaultBranch } = data;
  if (typeof id !== 'number' || typeof defaultBranch !== 'string') return undefined;
  // A project read without a token that may see its settings has no `visibility`: only public
  // projects answer such requests.
  const seen =
    typeof visibility === 'string' && VISIBILITIES.has(visibility) ? visibility : 'public';
  return {
    id,
    private: seen !== 'public',
    visibility: seen as NonNullable<RepositoryDetails['visibility']>,
    defaultBranch,
  };
}

export function parseGitlabCommit(data: unknown): CommitDetails | undefined {
  if (!isObject(data)) return undefined;
  const id = text(data['id']);
  const message = text(data['message']);
  const url = text(data['web_url']);
  const timestamp = text(data['authored_date']);
  const author = { name: text(data['author_name']), email: text(data['author_email']) };
  const committer = { name: text(data['committer_name']), email: text(data['committer_email']) };
  if (!id || message === undefined || url === undefined || timestamp === undefined)
    return undefined;
  if (author.name === undefined || author.email === undefined) return undefined;
  if (committer.name === undefined || committer.email === undefined) return undefined;
  return {
    id,
    message,
    timestamp,
    url,
    author: { name: author.name, email: author.email },
    committer: { name: committer.name, email: committer.email },
  };
}

export interface GitlabCompare {
  /** Oldest first, as GitLab lists them. */
  readonly commits: readonly CommitDetails[];
  readonly webUrl?: string;
}

export function parseGitlabCompare(data: unknown): GitlabCompare | undefined {
  if (!isObject(data) || !Array.isArray(data['commits'])) return undefined;
  const commits: CommitDetails[] = [];
  for (const entry of data['commits'] as unknown[]) {
    const parsed = parseGitlabCommit(entry);
    if (parsed === undefined) return undefined;
    commits.push(parsed);
  }
  const webUrl = text(data['web_url']);
  return { commits, ...(webUrl ? { webUrl } : {}) };
}
