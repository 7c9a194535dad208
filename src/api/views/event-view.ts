import { shortRefName, type PullRequestFacts } from '../../events/change-event.js';
import type { StoredEvent } from '../../storage/event-row.js';
import type { EventListItem as StoredEventListItem } from '../../storage/event-store.js';
import type { ApiEvent, EventListItem } from '../schemas/event-schemas.js';
import { urlWithoutCredentials } from './url-without-credentials.js';

/** An event as the API and the event stream show it. */
export function eventView(event: StoredEvent): ApiEvent {
  return {
    id: event.id,
    seq: event.seq,
    repository: event.repository.name,
    repositoryUrl: urlWithoutCredentials(event.repository.url),
    provider: event.repository.provider,
    ref: event.ref,
    refName: shortRefName(event.ref),
    type: event.type,
    before: event.before,
    after: event.after,
    transition: event.transition,
    detectedAt: event.detectedAt.toISOString(),
    ...(event.pullRequest === undefined ? {} : { pullRequest: pullRequestView(event.pullRequest) }),
  };
}

function pullRequestView(request: PullRequestFacts): NonNullable<ApiEvent['pullRequest']> {
  const { cloneUrl, ...head } = request.head;
  return {
    ...request,
    head: {
      ...head,
      ...(cloneUrl === undefined ? {} : { cloneUrl: urlWithoutCredentials(cloneUrl) }),
    },
  };
}

export function eventListItemView(event: StoredEventListItem): EventListItem {
  return { ...eventView(event), deliveries: event.deliveryCounts };
}
