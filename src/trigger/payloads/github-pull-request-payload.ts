import { ZERO_SHA, type ChangeEvent } from '../../events/change-event.js';
import { REPORTING_ACTOR } from './event-facts.js';
import type { FormatPayload } from './format-payload.js';
import { GITHUB_CONTENT_TYPE } from './github-payload.js';
import { pullRequestFactsOf } from './pull-request-facts.js';

/**
 * A GitHub `pull_request` webhook body
 * (https://docs.github.com/webhooks/webhook-events-and-payloads#pull_request): `action` opened,
 * synchronize (the head moved, with the heads `before` and `after` it, as GitHub sends them),
 * closed (with `merged` true or false) or reopened, the request as GitHub listed it at detection,
 * the repository and RepoSentry as `sender`. A request seen only as a ref (a plain git remote) has
 * no title, base branch or author: those are `''` (`user.login` `reposentry`), its head `ref` is
 * the request ref (`pull/<n>/head`), and `base` is still there, so that bindings resolve.
 * `pull_request.url`, GitHub's API link, is left out (docs/tekton.md lists every key left out).
 */
export interface GithubPullRequestPayload {
  readonly action: 'opened' | 'synchronize' | 'closed' | 'reopened';
  readonly number: number;
  readonly pull_request: {
    readonly html_url: string;
    readonly number: number;
    readonly state: 'open' | 'closed';
    readonly title: string;
    readonly user: { readonly login: string };
    readonly draft: boolean;
    readonly merged: boolean;
    readonly head: GithubPullSide;
    readonly base: GithubPullSide;
  };
  /** `synchronize` only: the head before and after it moved. */
  readonly before?: string;
  readonly after?: string;
  readonly repository: GithubPullRepository;
  readonly sender: { readonly login: string; readonly type: 'Bot' };
}

interface GithubPullRepository {
  readonly name: string;
  readonly full_name: string;
  readonly owner: { readonly login: string };
  readonly html_url: string;
  readonly clone_url: string;
  readonly ssh_url?: string;
}

interface GithubPullSide {
  readonly label: string;
  readonly ref: string;
  readonly sha: string;
  readonly repo: { readonly full_name: string; readonly clone_url: string } | null;
}

const GITHUB_ACTIONS = {
  opened: 'opened',
  updated: 'synchronize',
  closed: 'closed',
  merged: 'closed',
  reopened: 'reopened',
} as const;

export function buildGithubPullRequestPayload(event: ChangeEvent): FormatPayload {
  const facts = pullRequestFactsOf(event);
  const { request, repository: repo } = facts;
  const owner = (fullName: string): string => fullName.split('/')[0] ?? '';
  const ownRepo = { full_name: repo.fullName, clone_url: repo.cloneUrl };
  const body: GithubPullRequestPayload = {
    action: GITHUB_ACTIONS[facts.action],
    number: request.number,
    pull_request: {
      html_url: request.url ?? '',
      number: request.number,
      state: request.state === 'open' ? 'open' : 'closed',
      title: request.title ?? '',
      user: { login: request.author ?? REPORTING_ACTOR },
      draft: request.draft ?? false,
      merged: request.state === 'merged',
      head: {
        label: `${owner(facts.headRepository)}:${facts.headRef}`,
        ref: facts.headRef,
        sha: request.head.sha,
        repo:
          facts.headRepository === ''
            ? null
            : { full_name: facts.headRepository, clone_url: facts.headCloneUrl },
      },
      base: {
        label: request.base === undefined ? '' : `${repo.namespace}:${request.base.ref}`,
        ref: request.base?.ref ?? '',
        sha: request.base?.sha ?? '',
        repo: ownRepo,
      },
    },
    ...(facts.action === 'updated'
      ? { before: event.before ?? ZERO_SHA, after: request.head.sha }
      : {}),
    repository: {
      name: repo.name,
      full_name: repo.fullName,
      owner: { login: repo.namespace },
      html_url: repo.webUrl,
      clone_url: repo.cloneUrl,
      ...(repo.sshUrl === undefined ? {} : { ssh_url: repo.sshUrl }),
    },
    sender: { login: REPORTING_ACTOR, type: 'Bot' },
  };
  return {
    body,
    headers: {
      'Content-Type': GITHUB_CONTENT_TYPE,
      'X-GitHub-Event': 'pull_request',
      'X-GitHub-Delivery': event.id,
    },
  };
}
