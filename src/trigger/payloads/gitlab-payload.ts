import type { ChangeEvent } from '../../events/change-event.js';
import { REPORTING_ACTOR, eventFactsOf } from './event-facts.js';
import { forgeLinksOf } from './forge-links.js';
import type { FormatPayload } from './format-payload.js';

/**
 * A GitLab `Push Hook` / `Tag Push Hook` body
 * (https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events), with the
 * fields a ref listing can fill. Unknown facts are stated, not invented:
 * - `message` is null (GitLab's tag message; unknown), commit `message`/`title`/author name are
 *   `''`, author email null, commit `timestamp` is the detection time.
 * - `added` / `modified` / `removed` are omitted (changed files are unknown).
 * - `commits` holds the head commit for branch pushes and is empty for tags and deletions;
 *   `total_commits_count` is its length.
 * - `user_name` / `user_username` name `reposentry`; `user_id`, `project_id` and `project.id`
 *   are omitted (numeric ids are not derivable from the URL); `project.default_branch` is null.
 * - `project.git_ssh_url` is null when no SSH URL can be stated (a plain git remote over https).
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
  readonly project: {
    readonly name: string;
    readonly web_url: string;
    readonly git_ssh_url: string | null;
    readonly git_http_url: string;
    readonly namespace: string;
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
  };
}

export const GITLAB_CONTENT_TYPE = 'application/json';

export function gitlabEventHeaderOf(event: ChangeEvent): 'Push Hook' | 'Tag Push Hook' {
  return event.type.startsWith('tag.') ? 'Tag Push Hook' : 'Push Hook';
}

export function buildGitlabPayload(event: ChangeEvent): FormatPayload {
  const facts = eventFactsOf(event);
  const links = forgeLinksOf(event.repository.provider, facts);
  const repo = facts.repository;
  const kind = facts.kind === 'tag' ? 'tag_push' : 'push';
  const httpUrl = repo.hasWebUrl ? `${repo.webUrl}.git` : repo.cloneUrl;
  const sshUrl = repo.sshUrl ?? null;
  const commits: GitlabCommitShape[] =
    facts.deleted || facts.kind === 'tag'
      ? []
      : [
          {
            id: facts.after,
            message: '',
            title: '',
            timestamp: facts.detectedAt,
            url: links.commit(facts.after),
            author: { name: '', email: null },
          },
        ];
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
    project: {
      name: repo.name,
      web_url: repo.webUrl,
      git_ssh_url: sshUrl,
      git_http_url: httpUrl,
      namespace: repo.namespace,
      path_with_namespace: repo.fullName,
      default_branch: null,
      homepage: repo.webUrl,
      url: sshUrl ?? httpUrl,
      ssh_url: sshUrl,
      http_url: httpUrl,
    },
    commits,
    total_commits_count: commits.length,
    repository: {
      name: repo.name,
      url: sshUrl ?? httpUrl,
      homepage: repo.webUrl,
      git_http_url: httpUrl,
      git_ssh_url: sshUrl,
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
