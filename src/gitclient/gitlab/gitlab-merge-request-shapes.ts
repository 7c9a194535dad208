import type { PullRequestFacts } from '../../events/change-event.js';
import { isJsonObject as isObject, textOf as text } from '../../lib/json-shape.js';

/**
 * Readers of the GitLab REST shapes a merge request listing comes from: an entry of
 * GET /projects/:id/merge_requests and the source project of a fork (GET /projects/:id).
 * Undefined when the body is not that.
 */

const flag = (value: unknown): boolean | undefined =>
  typeof value === 'boolean' ? value : undefined;

/** What RepoSentry reads of a merge request list entry. */
export interface GitlabMergeRequest {
  readonly iid: number;
  /** `opened`, `closed`, `merged` or `locked` (a merge under way). */
  readonly state: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  /** Null when the source project is gone (a deleted fork). */
  readonly sourceProjectId: number | null;
  readonly targetProjectId: number;
  /** `sha`, else `diff_refs.head_sha`; absent when the source branch has no commits of its own. */
  readonly headSha?: string;
  /** `diff_refs.base_sha`: GitLab sends `diff_refs` for a single request, not in its lists. */
  readonly baseSha?: string;
  readonly title?: string;
  /** `draft`, else the older `work_in_progress` (GitLab before 14.0). */
  readonly draft?: boolean;
  readonly webUrl?: string;
  readonly author?: string;
}

export function parseGitlabMergeRequest(data: unknown): GitlabMergeRequest | undefined {
  if (!isObject(data)) return undefined;
  const { iid, state } = data;
  const sourceBranch = text(data['source_branch']);
  const targetBranch = text(data['target_branch']);
  const sourceProjectId = data['source_project_id'];
  const targetProjectId = data['target_project_id'];
  if (typeof iid !== 'number' || typeof state !== 'string') return undefined;
  if (sourceBranch === undefined || targetBranch === undefined) return undefined;
  if (typeof targetProjectId !== 'number') return undefined;
  const diffRefs = isObject(data['diff_refs']) ? data['diff_refs'] : {};
  const headSha = text(data['sha']) || text(diffRefs['head_sha']);
  const baseSha = text(diffRefs['base_sha']);
  const title = text(data['title']);
  const draft = flag(data['draft']) ?? flag(data['work_in_progress']);
  const webUrl = text(data['web_url']);
  const author = isObject(data['author']) ? text(data['author']['username']) : undefined;
  return {
    iid,
    state,
    sourceBranch,
    targetBranch,
    sourceProjectId: typeof sourceProjectId === 'number' ? sourceProjectId : null,
    targetProjectId,
    ...(headSha ? { headSha } : {}),
    ...(baseSha ? { baseSha } : {}),
    ...(title === undefined ? {} : { title }),
    ...(draft === undefined ? {} : { draft }),
    ...(webUrl === undefined ? {} : { webUrl }),
    ...(author === undefined ? {} : { author }),
  };
}

/** The project a request's head lives in: its full path and HTTP clone URL. */
export interface GitlabSourceProject {
  readonly path: string;
  readonly cloneUrl: string;
}

export function parseGitlabSourceProject(data: unknown): GitlabSourceProject | undefined {
  if (!isObject(data)) return undefined;
  const path = text(data['path_with_namespace']);
  const cloneUrl = text(data['http_url_to_repo']);
  return path && cloneUrl ? { path, cloneUrl } : undefined;
}

/**
 * GitLab's states. `locked` is the short moment of a merge under way: still open, since GitLab
 * says `merged` (or `opened`, when the merge fails) next. Read as closed, the request would be
 * reported closed and forgotten, and its merge never reported.
 */
const STATES: Readonly<Record<string, PullRequestFacts['state']>> = {
  opened: 'open',
  locked: 'open',
  closed: 'closed',
  merged: 'merged',
};

/**
 * A request's facts, its head in `source` (left out when the source project could not be read).
 * Undefined for a request without a head commit or in a state GitLab did not have before.
 */
export function pullRequestFactsOf(
  mr: GitlabMergeRequest,
  source: GitlabSourceProject | undefined,
): PullRequestFacts | undefined {
  const state = Object.hasOwn(STATES, mr.state) ? STATES[mr.state] : undefined;
  if (state === undefined || mr.headSha === undefined) return undefined;
  return {
    number: mr.iid,
    state,
    known: 'api',
    ...(mr.title === undefined ? {} : { title: mr.title }),
    ...(mr.draft === undefined ? {} : { draft: mr.draft }),
    ...(mr.webUrl === undefined ? {} : { url: mr.webUrl }),
    ...(mr.author === undefined ? {} : { author: mr.author }),
    head: {
      sha: mr.headSha,
      ref: mr.sourceBranch,
      ...(source ? { repository: source.path, cloneUrl: source.cloneUrl } : {}),
    },
    base: { ref: mr.targetBranch, ...(mr.baseSha ? { sha: mr.baseSha } : {}) },
    fork: mr.sourceProjectId !== mr.targetProjectId,
  };
}
