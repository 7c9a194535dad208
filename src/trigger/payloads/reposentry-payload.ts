import type { Provider } from '../../config/config-types.js';
import type { ChangeEvent } from '../../events/change-event.js';
import type { PushDetails } from '../../events/push-details.js';
import { eventFactsOf } from './event-facts.js';
import type { FormatPayload } from './format-payload.js';
import { pullRequestFactsOf } from './pull-request-facts.js';

/**
 * The body the Go RepoSentry sends (CloudEvents 1.0 in binary mode: the event data as a plain
 * JSON body, the attributes as `ce-*` headers), so TriggerBindings written for it keep resolving:
 * `$(body.repository.url)`, `$(body.repository.full_name)`, `$(body.branch.name)`,
 * `$(body.commit.sha)`, `$(body.event.type)`, `$(body.event.trigger_id)`, ...
 *
 * Field names follow that project; the values are ours:
 * - `event.type` is `branch_created|branch_updated|branch_deleted`, and for tags (which the Go
 *   project does not watch) `tag_created|tag_updated|tag_deleted`; `event.ref_type` says which.
 * - `branch` describes the changed ref for tags too (`branch.ref` = `refs/tags/v1`).
 * - `commit.sha` is ZERO_SHA for a deleted ref; `previous_commit` is present when the ref existed.
 * - `commit.message` is the head commit's message when the Git host told it (see PushDetails),
 *   else `''` (a ref listing has no messages).
 * - a pull (merge) request event has `event.type` `pull_request_<opened|updated|closed|merged|
 *   reopened>` and `ref_type` `pull_request`; `branch` is its head branch (under the request's
 *   ref), `commit` its head, and `pull_request` says which request it is;
 * - `ce-id` is the RepoSentry event id (deterministic), `ce-source` `reposentry/<provider>`.
 */
export interface ReposentryPayload {
  readonly repository: {
    readonly provider: Provider;
    readonly organization: string;
    readonly name: string;
    readonly full_name: string;
    readonly url: string;
    readonly id: string;
  };
  readonly branch: { readonly name: string; readonly ref: string };
  readonly commit: { readonly sha: string; readonly short_sha: string; readonly message: string };
  readonly previous_commit?: { readonly sha: string; readonly short_sha: string };
  readonly pull_request?: {
    readonly number: number;
    readonly title: string;
    readonly url: string;
    readonly state: 'open' | 'closed' | 'merged';
    readonly head_ref: string;
    readonly base_ref: string;
  };
  readonly event: {
    readonly type: string;
    readonly ref_type: 'branch' | 'tag' | 'pull_request';
    readonly trigger_source: 'reposentry';
    readonly trigger_id: string;
    readonly detection_time: string;
  };
}

/** The Go project's short sha length. */
const SHORT_SHA_LENGTH = 8;

export const REPOSENTRY_CONTENT_TYPE = 'application/json';

function shortSha(sha: string): string {
  return sha.slice(0, SHORT_SHA_LENGTH);
}

export function buildReposentryPayload(event: ChangeEvent, details?: PushDetails): FormatPayload {
  const facts = eventFactsOf(event);
  const repo = facts.repository;
  const provider = event.repository.provider;
  const pull = event.pullRequest === undefined ? undefined : pullRequestFactsOf(event);
  const eventType = pull ? `pull_request_${pull.action}` : `${facts.kind}_${facts.action}`;
  // RFC 3339 without fractional seconds, as the Go project writes it.
  const detectionTime = facts.detectedAt.replace(/\.\d+Z$/, 'Z');
  const body: ReposentryPayload = {
    repository: {
      provider,
      organization: repo.namespace,
      name: repo.name,
      full_name: repo.fullName,
      url: repo.url,
      id: `${provider}-${repo.fullName.toLowerCase().replaceAll('/', '-')}`,
    },
    branch: { name: pull?.headRef ?? facts.refName, ref: event.ref },
    commit: {
      sha: facts.after,
      short_sha: shortSha(facts.after),
      message: details?.headCommit?.message ?? '',
    },
    ...(event.before === null
      ? {}
      : { previous_commit: { sha: event.before, short_sha: shortSha(event.before) } }),
    ...(pull === undefined
      ? {}
      : {
          pull_request: {
            number: pull.request.number,
            title: pull.request.title ?? '',
            url: pull.request.url ?? '',
            state: pull.request.state,
            head_ref: pull.headRef,
            base_ref: pull.request.base?.ref ?? '',
          },
        }),
    event: {
      type: eventType,
      ref_type: pull ? 'pull_request' : facts.kind,
      trigger_source: 'reposentry',
      trigger_id: `reposentry-${provider}-${Math.floor(event.detectedAt.getTime() / 1000)}`,
      detection_time: detectionTime,
    },
  };
  return {
    body,
    headers: {
      'Content-Type': REPOSENTRY_CONTENT_TYPE,
      'ce-specversion': '1.0',
      'ce-type': `dev.reposentry.repository.${eventType}`,
      'ce-source': `reposentry/${provider}`,
      'ce-id': event.id,
      'ce-time': detectionTime,
      'ce-subject': event.ref,
      'ce-datacontenttype': 'application/json',
    },
  };
}
