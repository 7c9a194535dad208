import type { ChangeEvent } from '../../events/change-event.js';
import { REPORTING_ACTOR, eventFactsOf } from './event-facts.js';
import { forgeLinksOf } from './forge-links.js';
import type { FormatPayload } from './format-payload.js';

/**
 * A GitHub `push` webhook body (https://docs.github.com/webhooks/webhook-events-and-payloads#push),
 * with the fields a ref listing can fill. Unknown facts are stated, not invented:
 * - `forced` is omitted: whether the old sha is an ancestor of the new one is not checked.
 * - `head_commit.message`, author and committer names are `''`, their emails `null`;
 *   `head_commit.timestamp` is the detection time (the commit time is not in a ref listing).
 * - `added` / `removed` / `modified` are omitted (changed files are unknown).
 * - `commits` holds the head commit for branch pushes (intermediate commits are not listed) and
 *   is empty for tags and deletions, as GitHub sends it for those.
 * - `pusher` / `sender` name `reposentry`, the system reporting the change.
 * - `repository.id`, `private` and `default_branch` are omitted (not derivable from the URL).
 */
export interface GithubCommitShape {
  readonly id: string;
  readonly message: string;
  readonly timestamp: string;
  readonly url: string;
  readonly author: { readonly name: string; readonly email: string | null };
  readonly committer: { readonly name: string; readonly email: string | null };
}

export interface GithubPushPayload {
  readonly ref: string;
  readonly before: string;
  readonly after: string;
  readonly created: boolean;
  readonly deleted: boolean;
  readonly base_ref: null;
  readonly compare: string;
  readonly commits: readonly GithubCommitShape[];
  readonly head_commit: GithubCommitShape | null;
  readonly repository: {
    readonly name: string;
    readonly full_name: string;
    readonly owner: { readonly login: string; readonly name: string };
    readonly html_url: string;
    readonly url: string;
    readonly clone_url: string;
    readonly ssh_url?: string;
  };
  readonly pusher: { readonly name: string; readonly email: string | null };
  readonly sender: { readonly login: string; readonly type: 'Bot' };
}

export const GITHUB_CONTENT_TYPE = 'application/json';

export function buildGithubPayload(event: ChangeEvent): FormatPayload {
  const facts = eventFactsOf(event);
  const links = forgeLinksOf(event.repository.provider, facts);
  const repo = facts.repository;
  const headCommit: GithubCommitShape | null = facts.deleted
    ? null
    : {
        id: facts.after,
        message: '',
        timestamp: facts.detectedAt,
        url: links.commit(facts.after),
        author: { name: '', email: null },
        committer: { name: '', email: null },
      };
  const body: GithubPushPayload = {
    ref: event.ref,
    before: facts.before,
    after: facts.after,
    created: facts.created,
    deleted: facts.deleted,
    base_ref: null,
    compare: links.compare,
    commits: headCommit !== null && facts.kind === 'branch' ? [headCommit] : [],
    head_commit: headCommit,
    repository: {
      name: repo.name,
      full_name: repo.fullName,
      owner: { login: repo.namespace, name: repo.namespace },
      html_url: repo.webUrl,
      url: repo.webUrl,
      clone_url: repo.cloneUrl,
      ...(repo.sshUrl === undefined ? {} : { ssh_url: repo.sshUrl }),
    },
    pusher: { name: REPORTING_ACTOR, email: null },
    sender: { login: REPORTING_ACTOR, type: 'Bot' },
  };
  return {
    body,
    headers: {
      'Content-Type': GITHUB_CONTENT_TYPE,
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': event.id,
    },
  };
}
