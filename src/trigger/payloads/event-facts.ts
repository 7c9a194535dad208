import {
  ZERO_SHA,
  shortRefName,
  type ChangeAction,
  type ChangeEvent,
  type RefKind,
} from '../../events/change-event.js';
import { repositoryCoordinatesOf, type RepositoryCoordinates } from './repository-coordinates.js';

/**
 * What every payload format says about one change, derived once from the ChangeEvent. A ref
 * listing tells us shas and nothing else: commit messages, authors, the pusher, changed files
 * and whether a push was forced are unknown, and each format states that honestly (see
 * deployments/tekton/README.md, "What the payloads cannot know").
 */
export interface EventFacts {
  readonly kind: RefKind;
  readonly action: ChangeAction;
  /** `main`, `release/1.0`, `v1.2.0`. */
  readonly refName: string;
  /** Sha before the change, ZERO_SHA when the ref was created. */
  readonly before: string;
  /** Sha after the change, ZERO_SHA when the ref was deleted. */
  readonly after: string;
  readonly created: boolean;
  readonly deleted: boolean;
  /** ISO 8601 (UTC) time RepoSentry detected the change. */
  readonly detectedAt: string;
  readonly repository: RepositoryCoordinates;
}

/**
 * The actor named where a format requires one (GitHub `pusher`/`sender`, GitLab `user_*`): who
 * pushed is not visible in a ref listing, so deliveries name the system that reports the change.
 */
export const REPORTING_ACTOR = 'reposentry';

export function eventFactsOf(event: ChangeEvent): EventFacts {
  const [kind, action] = event.type.split('.') as [RefKind, ChangeAction];
  return {
    kind,
    action,
    refName: shortRefName(event.ref),
    before: event.before ?? ZERO_SHA,
    after: event.after ?? ZERO_SHA,
    created: event.before === null,
    deleted: event.after === null,
    detectedAt: event.detectedAt.toISOString(),
    repository: repositoryCoordinatesOf(event.repository.url, event.repository.provider !== 'git'),
  };
}
