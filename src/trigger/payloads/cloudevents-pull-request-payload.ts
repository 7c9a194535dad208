import type { ChangeEvent, PullRequestAction } from '../../events/change-event.js';
import { CLOUDEVENTS_CONTENT_TYPE, cloudEventRepositoryOf } from './cloudevents-payload.js';
import type { FormatPayload } from './format-payload.js';
import { pullRequestFactsOf } from './pull-request-facts.js';

/**
 * A pull (merge) request event as a CloudEvents 1.0 event in structured mode: `type`
 * `dev.reposentry.pull_request.<opened|updated|closed|merged|reopened>`, `subject` the request's
 * ref, `data.pull_request` the request as the host described it at detection (`known: ref` when
 * only its head was seen).
 */
export interface CloudEventsPullRequestEnvelope {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: `dev.reposentry.pull_request.${PullRequestAction}`;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: {
    readonly repository: ReturnType<typeof cloudEventRepositoryOf>;
    readonly action: PullRequestAction;
    readonly before: string | null;
    readonly after: string | null;
    readonly pull_request: NonNullable<ChangeEvent['pullRequest']>;
  };
}

export function buildCloudEventsPullRequestPayload(event: ChangeEvent): FormatPayload {
  const facts = pullRequestFactsOf(event);
  const body: CloudEventsPullRequestEnvelope = {
    specversion: '1.0',
    id: event.id,
    source: facts.repository.uri,
    type: `dev.reposentry.pull_request.${facts.action}`,
    subject: event.ref,
    time: facts.detectedAt,
    datacontenttype: 'application/json',
    data: {
      repository: cloudEventRepositoryOf(event, facts.repository),
      action: facts.action,
      before: event.before,
      after: event.after,
      pull_request: facts.request,
    },
  };
  return { body, headers: { 'Content-Type': CLOUDEVENTS_CONTENT_TYPE } };
}
