import type { ChangeEvent } from '../../events/change-event.js';
import type { CommitDetails, PushDetails, RepositoryDetails } from '../../events/push-details.js';
import { REPORTING_ACTOR, eventFactsOf } from './event-facts.js';
import { forgeLinksOf } from './forge-links.js';
import type { FormatPayload } from './format-payload.js';

/**
 * A GitLab `Push Hook` / `Tag Push Hook` body
 * (https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events). With the host's
 * details (see PushDetails) it carries the pushed commits (the newest MAX_PUSH_COMMITS, oldest
 * first) and `total_commits_count`, and the project's id, visibility and default branch. What no
 * answer told is stated, not invented:
 * - `message` is null (GitLab's tag message; unknown); without details a commit's `message` /
 *   `title` / author name are `''`, its author email null and `timestamp` the detection time;
 * - `added` / `modified` / `removed` are omitted (changed files are not read);
 * - `commits` holds the head commit alone for a created branch or an update without a compare,
 *   and is empty for tags and deletions;
 * - `user_name` / `user_username` name `reposentry`; `user_id` is omitted, and so are
 *   `project_id`, `project.id` and `visibility_level` without details; `project.default_branch`
 *   is then null;
 * - `project.git_ssh_url` is null when no SSH URL can be stated (a plain git remote over https);
 * - `project.namespace` is the namespace path (`group/subgroup`), not its display name.
 */
export interface GitlabCommitShape {
  readonly id: string;
  readonly message: string;
  readonly title: string;
  readonly timestamp: string;
  readonly url: string;
  readonly author: { readonly name: string; readonly email: string | null };
}

/** GitLab's numeric visibility levels, as hooks carry them. */
const VISIBILITY_LEVELS = { private: 0, internal: 10, public: 20 } as const;

function visibilityLevelOf(repository: RepositoryDetails): number {
  return VISIBILITY_LEVELS[repository.visibility ?? (repository.private ? 'private' : 'public')];
}

function gitlabCommitOf(commit: CommitDetails): GitlabCommitShape {
  return {
    id: commit.id,
    message: commit.message,
    title: commit.message.split('\n')[0] ?? '',
    timestamp: commit.timestamp,
    url: commit.url,
    author: { name: commit.author.name, email: commit.author.email },
  };
}

export interface GitlabPushPayload {
  readonly object_kind: 'push' | 'tag_push';
  readonly event_name: 'push' | 'tag_push';
  readonly before: string;
  readonly after: string;
  readonly ref: string;
  readonly checkout_sha: string | null;
  readonly message: null;
  readonly user_name: string;
  readonly user_username: string;
  readonly user_email: string | null;
  readonly project_id?: number;
  readonly project: {
    readonly id?: number;
    readonly name: string;
    readonly web_url: string;
    readonly git_ssh_url: string | null;
    readonly git_http_url: string;
    readonly namespace: string;
    readonly visibility_level?: number;
    readonly path_with_namespace: string;
    readonly default_branch: string | null;
    readonly homepage: string;
    readonly url: string;
    readonly ssh_url: string | null;
    readonly http_url: string;
  };
  readonly commits: readonly GitlabCommitShape[];
  readonly total_commits_count: number;
  readonly repository: {
    readonly name: string;
    readonly url: string;
    readonly homepage: string;
    readonly git_http_url: string;
    readonly git_ssh_url: string | null;
    readonly visibility_level?: number;
  };
}

export const GITLAB_CONTENT_TYPE = 'application/json';

export function gitlabEventHeaderOf(event: ChangeEvent): 'Push Hook' | 'Tag Push Hook' {
  return event.type.startsWith('tag.') ? 'Tag Push Hook' : 'Push Hook';
}

export function buildGitlabPayload(event: ChangeEvent, details?: PushDetails): FormatPayload {
  const facts = eventFactsOf(event);
  const links = forgeLinksOf(event.repository.provider, facts);
  const repo = facts.repository;
  const known = details?.repository;
  const visibility = known ? { visibility_level: visibilityLevelOf(known) } : {};
  const kind = facts.kind === 'tag' ? 'tag_push' : 'push';
  const httpUrl = repo.hasWebUrl ? `${repo.webUrl}.git` : repo.cloneUrl;
  const sshUrl = repo.sshUrl ?? null;
  const head: GitlabCommitShape = details?.headCommit
    ? gitlabCommitOf(details.headCommit)
    : {
        id: facts.after,
        message: '',
        title: '',
        timestamp: facts.detectedAt,
        url: links.commit(facts.after),
        author: { name: '', email: null },
      };
  const compared = details?.commits !== undefined && !facts.created;
  const commits: GitlabCommitShape[] =
    facts.deleted || facts.kind === 'tag'
      ? []
      : compared
        ? (details.commits ?? []).map(gitlabCommitOf)
        : [head];
  const totalCommits = compared ? (details.totalCommits ?? commits.length) : commits.length;
  const body: GitlabPushPayload = {
    object_kind: kind,
    event_name: kind,
    before: facts.before,
    after: facts.after,
    ref: event.ref,
    checkout_sha: facts.deleted ? null : facts.after,
    message: null,
    user_name: REPORTING_ACTOR,
    user_username: REPORTING_ACTOR,
    user_email: null,
    ...(known ? { project_id: known.id } : {}),
    project: {
      ...(known ? { id: known.id } : {}),
      name: repo.name,
      web_url: repo.webUrl,
      git_ssh_url: sshUrl,
      git_http_url: httpUrl,
      namespace: repo.namespace,
      ...visibility,
      path_with_namespace: repo.fullName,
      default_branch: known?.defaultBranch ?? null,
      homepage: repo.webUrl,
      url: sshUrl ?? httpUrl,
      ssh_url: sshUrl,
      http_url: httpUrl,
    },
    commits,
    total_commits_count: totalCommits,
    repository: {
      name: repo.name,
      url: sshUrl ?? httpUrl,
      homepage: repo.webUrl,
      git_http_url: httpUrl,
      git_ssh_url: sshUrl,
      ...visibility,
    },
  };
  const headers: Record<string, string> = {
    'Content-Type': GITLAB_CONTENT_TYPE,
    'X-Gitlab-Event': gitlabEventHeaderOf(event),
    'X-Gitlab-Event-UUID': event.id,
  };
  if (repo.hasWebUrl) headers['X-Gitlab-Instance'] = new URL(repo.webUrl).origin;
  return { body, headers };
}
