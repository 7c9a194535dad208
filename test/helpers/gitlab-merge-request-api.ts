/**
 * GitLab's merge request list for the loopback GitLab (fake-gitlab.ts):
 * GET /projects/:id/merge_requests?state&updated_after, in the shape of the REST API v4 list
 * entry (GitLab's MergeRequestBasic entity). The list has no `diff_refs`: GitLab sends those only
 * for a single request (GET /projects/:id/merge_requests/:iid). Newest first (GitLab's default
 * `order_by=created_at`, `sort=desc`).
 */

/** A merge request as a test sets it; the fake turns it into GitLab's JSON. */
export interface FakeMergeRequest {
  readonly iid: number;
  readonly state: 'opened' | 'closed' | 'merged' | 'locked';
  readonly sourceBranch: string;
  /** Default `main`. */
  readonly targetBranch?: string;
  /** The head commit (`sha`); null for a request whose source branch has no commits of its own. */
  readonly sha: string | null;
  /** When it last changed (`updated_at`), what `updated_after` filters on. */
  readonly updatedAt: Date | string;
  readonly createdAt?: Date | string;
  readonly title?: string;
  readonly draft?: boolean;
  /** The author's username (default `dev`). */
  readonly author?: string;
  /** The project the head lives in (a fork's id from setProject); default the project itself. */
  readonly sourceProjectId?: number;
  readonly mergeCommitSha?: string;
}

/** The target project as the list answer names it. */
export interface MergeRequestProject {
  readonly id: number;
  readonly path: string;
}

export const MERGE_REQUEST_STATES = ['opened', 'closed', 'merged', 'locked', 'all'] as const;

/**
 * The entries GitLab lists for `query`, or GitLab's 400 body when a parameter is invalid:
 * `state` one of MERGE_REQUEST_STATES (default all), `updated_after` an ISO 8601 time (requests
 * updated on or after it).
 */
export function gitlabMergeRequestList(
  project: MergeRequestProject,
  requests: Iterable<FakeMergeRequest>,
  query: URLSearchParams,
  base: string,
): { items: unknown[] } | { error: string } {
  const state = query.get('state') ?? 'all';
  if (!(MERGE_REQUEST_STATES as readonly string[]).includes(state)) {
    return { error: 'state does not have a valid value' };
  }
  const after = query.get('updated_after');
  const afterMs = after === null ? undefined : Date.parse(after);
  if (afterMs !== undefined && Number.isNaN(afterMs)) return { error: 'updated_after is invalid' };
  const items = [...requests]
    .filter((mr) => state === 'all' || mr.state === state)
    .filter((mr) => afterMs === undefined || timeOf(mr.updatedAt) >= afterMs)
    .sort((a, b) => timeOf(createdOf(b)) - timeOf(createdOf(a)) || b.iid - a.iid)
    .map((mr) => gitlabMergeRequestBody(project, mr, base));
  return { items };
}

export function gitlabMergeRequestBody(
  project: MergeRequestProject,
  mr: FakeMergeRequest,
  base: string,
): Record<string, unknown> {
  const author = mr.author ?? 'dev';
  const user = {
    id: 1000 + author.length,
    username: author,
    name: author,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${base}/${author}`,
  };
  const updatedAt = isoOf(mr.updatedAt);
  const sourceProjectId = mr.sourceProjectId ?? project.id;
  const fork = sourceProjectId !== project.id;
  const draft = mr.draft ?? false;
  const reference = `!${mr.iid}`;
  return {
    id: 50_000 + project.id * 1000 + mr.iid,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title ?? `${draft ? 'Draft: ' : ''}Change ${mr.iid}`,
    description: '',
    state: mr.state,
    created_at: isoOf(createdOf(mr)),
    updated_at: updatedAt,
    merged_by: mr.state === 'merged' ? user : null,
    merge_user: mr.state === 'merged' ? user : null,
    merged_at: mr.state === 'merged' ? updatedAt : null,
    closed_by: mr.state === 'closed' ? user : null,
    closed_at: mr.state === 'closed' ? updatedAt : null,
    target_branch: mr.targetBranch ?? 'main',
    source_branch: mr.sourceBranch,
    user_notes_count: 0,
    upvotes: 0,
    downvotes: 0,
    author: user,
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: sourceProjectId,
    target_project_id: project.id,
    labels: [],
    draft,
    work_in_progress: draft,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: mr.state === 'opened' ? 'can_be_merged' : 'unchecked',
    detailed_merge_status:
      mr.state === 'opened' ? (draft ? 'draft_status' : 'mergeable') : 'not_open',
    sha: mr.sha,
    merge_commit_sha: mr.state === 'merged' ? (mr.mergeCommitSha ?? null) : null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: true,
    prepared_at: isoOf(createdOf(mr)),
    ...(fork ? { allow_collaboration: false, allow_maintainer_to_push: false } : {}),
    reference,
    references: { short: reference, relative: reference, full: `${project.path}${reference}` },
    web_url: `${base}/${project.path}/-/merge_requests/${mr.iid}`,
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    squash: false,
    squash_on_merge: false,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
    approvals_before_merge: null,
  };
}

/** Without a creation time, request n was opened n minutes into 2024. */
function createdOf(mr: FakeMergeRequest): Date | string {
  return mr.createdAt ?? new Date(Date.UTC(2024, 0, 1) + mr.iid * 60_000);
}

function timeOf(value: Date | string): number {
  return typeof value === 'string' ? Date.parse(value) : value.getTime();
}

function isoOf(value: Date | string): string {
  return new Date(timeOf(value)).toISOString();
}
