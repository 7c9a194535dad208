import type { Provider } from '../../config/config-types.js';
import type { ChangeAction, ChangeEvent, RefKind } from '../../events/change-event.js';
import { eventFactsOf } from './event-facts.js';
import type { FormatPayload } from './format-payload.js';
import type { RepositoryCoordinates } from './repository-coordinates.js';

/**
 * A CloudEvents 1.0 event in structured mode (https://github.com/cloudevents/spec, JSON format):
 * the attributes and `data` in one JSON body, `Content-Type: application/cloudevents+json`.
 * - `id` is the RepoSentry event id (deterministic, so consumers can de-duplicate redeliveries);
 * - `source` is the repository URL without credentials (scp-like `git@host:org/repo` written as
 *   `ssh://git@host/org/repo`, plain paths as `file://` URLs, so it is a valid URI-reference);
 * - `type` is `dev.reposentry.<branch|tag>.<created|updated|deleted>`; `subject` the full ref;
 * - `time` is when RepoSentry detected the change;
 * - `data.before` is null for a created ref, `data.after` null for a deleted one.
 */
export interface CloudEventsEnvelope {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: `dev.reposentry.${RefKind}.${ChangeAction}`;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: {
    readonly repository: {
      /** The repository's name in the RepoSentry configuration. */
      readonly name: string;
      readonly provider: Provider;
      readonly url: string;
      readonly full_name: string;
      readonly namespace: string;
      readonly clone_url: string;
      readonly web_url?: string;
    };
    readonly ref: string;
    readonly ref_type: RefKind;
    readonly ref_name: string;
    readonly action: ChangeAction;
    readonly before: string | null;
    readonly after: string | null;
  };
}

/** `data.repository` of every RepoSentry CloudEvent. */
export function cloudEventRepositoryOf(
  event: ChangeEvent,
  repo: RepositoryCoordinates,
): CloudEventsEnvelope['data']['repository'] {
  return {
    name: event.repository.name,
    provider: event.repository.provider,
    url: repo.url,
    full_name: repo.fullName,
    namespace: repo.namespace,
    clone_url: repo.cloneUrl,
    ...(repo.hasWebUrl ? { web_url: repo.webUrl } : {}),
  };
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

export function buildCloudEventsPayload(event: ChangeEvent): FormatPayload {
  const facts = eventFactsOf(event);
  const repo = facts.repository;
  const body: CloudEventsEnvelope = {
    specversion: '1.0',
    id: event.id,
    source: repo.uri,
    type: `dev.reposentry.${facts.kind}.${facts.action}`,
    subject: event.ref,
    time: facts.detectedAt,
    datacontenttype: 'application/json',
    data: {
      repository: cloudEventRepositoryOf(event, repo),
      ref: event.ref,
      ref_type: facts.kind,
      ref_name: facts.refName,
      action: facts.action,
      before: event.before,
      after: event.after,
    },
  };
  return { body, headers: { 'Content-Type': CLOUDEVENTS_CONTENT_TYPE } };
}
