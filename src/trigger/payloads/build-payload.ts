import type { ResolvedPayloadFormat } from '../../config/config-types.js';
import type { ChangeEvent } from '../../events/change-event.js';
import type { PushDetails } from '../../events/push-details.js';
import { buildCloudEventsPayload } from './cloudevents-payload.js';
import { buildCloudEventsPullRequestPayload } from './cloudevents-pull-request-payload.js';
import { buildGithubPullRequestPayload } from './github-pull-request-payload.js';
import { buildGitlabMergeRequestPayload } from './gitlab-merge-request-payload.js';
import type { FormatPayload } from './format-payload.js';
import { buildGithubPayload } from './github-payload.js';
import { buildGitlabPayload } from './gitlab-payload.js';
import { buildReposentryPayload } from './reposentry-payload.js';

export interface BuildPayloadContext {
  /** The daemon version, for `User-Agent: RepoSentry/<version>`. */
  readonly version: string;
  /** `tekton.headers`: added to every delivery, but never replacing a protocol header. */
  readonly extraHeaders: Readonly<Record<string, string>>;
}

/** The exact bytes to send (and to sign) and every header that does not depend on the attempt. */
export interface BuiltPayload {
  readonly body: string;
  readonly headers: Record<string, string>;
}

const FORMAT_BUILDERS = {
  github: buildGithubPayload,
  gitlab: buildGitlabPayload,
  cloudevents: buildCloudEventsPayload,
  reposentry: buildReposentryPayload,
} as const satisfies Record<
  ResolvedPayloadFormat,
  (event: ChangeEvent, details?: PushDetails) => FormatPayload
>;

/** The same formats for `pull_request.*` events. */
const PULL_REQUEST_BUILDERS = {
  github: buildGithubPullRequestPayload,
  gitlab: buildGitlabMergeRequestPayload,
  cloudevents: buildCloudEventsPullRequestPayload,
  reposentry: buildReposentryPayload,
} as const satisfies Record<ResolvedPayloadFormat, (event: ChangeEvent) => FormatPayload>;

/**
 * Headers `tekton.headers` cannot set: the ones RepoSentry sets itself (so a configured header
 * cannot break the signature, the event type an interceptor checks, or the idempotency key), and
 * the ones the HTTP client owns. Compared case-insensitively.
 */
export const RESERVED_HEADER_NAMES = [
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'host',
  'user-agent',
  'x-reposentry-event-id',
  'x-reposentry-delivery-attempt',
  'x-github-event',
  'x-github-delivery',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-gitlab-event',
  'x-gitlab-event-uuid',
  'x-gitlab-token',
  'x-gitlab-instance',
] as const;

const RESERVED = new Set<string>(RESERVED_HEADER_NAMES);

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED.has(lower) || lower.startsWith('ce-');
}

/**
 * Builds one delivery for `event` in `format`, with the Git host's `details` of the change when
 * they were read. Deterministic: the same inputs give the same bytes; the outbox stores them at
 * the first attempt, so every later attempt and a redelivery send (and sign) exactly these.
 * Reserved headers in `extraHeaders` are dropped (see RESERVED_HEADER_NAMES).
 */
export function buildPayload(
  format: ResolvedPayloadFormat,
  event: ChangeEvent,
  context: BuildPayloadContext,
  details?: PushDetails,
): BuiltPayload {
  const built =
    event.pullRequest === undefined
      ? FORMAT_BUILDERS[format](event, details)
      : PULL_REQUEST_BUILDERS[format](event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(context.extraHeaders)) {
    if (!isReservedHeader(name)) headers[name] = value;
  }
  Object.assign(headers, built.headers, {
    'User-Agent': `RepoSentry/${context.version}`,
    'X-RepoSentry-Event-Id': event.id,
  });
  return { body: JSON.stringify(built.body), headers };
}
