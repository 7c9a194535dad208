import type { ChangeEvent } from '../../events/change-event.js';
import { REPORTING_ACTOR } from './event-facts.js';
import { commitLinkOf } from './forge-links.js';
import type { FormatPayload } from './format-payload.js';
import { GITLAB_CONTENT_TYPE, type GitlabCommitShape } from './gitlab-payload.js';
import { pullRequestFactsOf } from './pull-request-facts.js';

/**
 * A GitLab `Merge Request Hook` body
 * (https://docs.gitlab.com/user/project/integrations/webhook_events/#merge-request-events):
 * `object_attributes.action` open, update (the head moved: with `oldrev`, the head before, as
 * GitLab sends it when commits were pushed), close, merge or reopen, the request as GitLab listed
 * it at detection, the project and RepoSentry as `user`. `last_commit` is the head, described as
 * push payloads describe a commit nobody asked the host about (message and author `''`, the
 * detection time). A request seen only as a ref has no title or branches: those are `''`
 * (docs/tekton.md lists every key left out).
 */
export interface GitlabMergeRequestPayload {
  readonly object_kind: 'merge_request';
  readonly event_type: 'merge_request';
  readonly user: { readonly name: string; readonly username: string };
  readonly project: GitlabProjectShape;
  readonly object_attributes: {
    readonly iid: number;
    readonly title: string;
    readonly state: 'opened' | 'closed' | 'merged';
    readonly action: 'open' | 'update' | 'close' | 'merge' | 'reopen';
    readonly draft: boolean;
    readonly work_in_progress: boolean;
    readonly source_branch: string;
    readonly target_branch: string;
    readonly url: string;
    readonly last_commit: GitlabCommitShape;
    /** `update` only: the head before it moved. */
    readonly oldrev?: string;
    readonly source: GitlabProjectShape;
    readonly target: GitlabProjectShape;
  };
  readonly repository: { readonly name: string; readonly url: string; readonly homepage: string };
}

interface GitlabProjectShape {
  readonly name: string;
  readonly web_url: string;
  readonly git_http_url: string;
  readonly git_ssh_url: string | null;
  readonly namespace: string;
  readonly path_with_namespace: string;
  readonly homepage: string;
  readonly url: string;
  readonly ssh_url: string | null;
  readonly http_url: string;
}

const GITLAB_ACTIONS = {
  opened: 'open',
  updated: 'update',
  closed: 'close',
  merged: 'merge',
  reopened: 'reopen',
} as const;

const GITLAB_STATES = { open: 'opened', closed: 'closed', merged: 'merged' } as const;

export function buildGitlabMergeRequestPayload(event: ChangeEvent): FormatPayload {
  const facts = pullRequestFactsOf(event);
  const { request, repository: repo } = facts;
  const httpUrl = repo.hasWebUrl ? `${repo.webUrl}.git` : repo.cloneUrl;
  const sshUrl = repo.sshUrl ?? null;
  const target: GitlabProjectShape = {
    name: repo.name,
    web_url: repo.webUrl,
    git_http_url: httpUrl,
    git_ssh_url: sshUrl,
    namespace: repo.namespace,
    path_with_namespace: repo.fullName,
    homepage: repo.webUrl,
    url: sshUrl ?? httpUrl,
    ssh_url: sshUrl,
    http_url: httpUrl,
  };
  const sourceWebUrl = facts.headCloneUrl.replace(/\.git$/, '');
  const sourcePath = facts.headRepository;
  const source: GitlabProjectShape =
    sourcePath === repo.fullName
      ? target
      : {
          name: sourcePath.split('/').at(-1) ?? '',
          web_url: sourceWebUrl,
          git_http_url: facts.headCloneUrl,
          git_ssh_url: null,
          namespace: sourcePath.split('/').slice(0, -1).join('/'),
          path_with_namespace: sourcePath,
          homepage: sourceWebUrl,
          url: facts.headCloneUrl,
          ssh_url: null,
          http_url: facts.headCloneUrl,
        };
  const headSha = request.head.sha;
  const body: GitlabMergeRequestPayload = {
    object_kind: 'merge_request',
    event_type: 'merge_request',
    user: { name: REPORTING_ACTOR, username: REPORTING_ACTOR },
    project: target,
    object_attributes: {
      iid: request.number,
      title: request.title ?? '',
      state: GITLAB_STATES[request.state],
      action: GITLAB_ACTIONS[facts.action],
      draft: request.draft ?? false,
      work_in_progress: request.draft ?? false,
      source_branch: facts.headRef,
      target_branch: request.base?.ref ?? '',
      url: request.url ?? '',
      last_commit: {
        id: headSha,
        message: '',
        title: '',
        timestamp: facts.detectedAt,
        url: commitLinkOf(event.repository.provider, repo)(headSha),
        author: { name: '', email: null },
      },
      source,
      target,
      ...(facts.action === 'updated' && event.before !== null ? { oldrev: event.before } : {}),
    },
    repository: { name: repo.name, url: httpUrl, homepage: repo.webUrl },
  };
  const headers: Record<string, string> = {
    'Content-Type': GITLAB_CONTENT_TYPE,
    'X-Gitlab-Event': 'Merge Request Hook',
    'X-Gitlab-Event-UUID': event.id,
  };
  if (repo.hasWebUrl) headers['X-Gitlab-Instance'] = new URL(repo.webUrl).origin;
  return { body, headers };
}
