import {
  shortRefName,
  type ChangeEvent,
  type PullRequestAction,
  type PullRequestFacts,
} from '../../events/change-event.js';
import { repositoryCoordinatesOf, type RepositoryCoordinates } from './repository-coordinates.js';

/** What every payload format says about one pull (merge) request event. */
export interface PullRequestEventFacts {
  readonly action: PullRequestAction;
  readonly request: PullRequestFacts;
  readonly repository: RepositoryCoordinates;
  /** ISO 8601 (UTC) time RepoSentry detected the change. */
  readonly detectedAt: string;
  /** The head branch name, or `pull/<n>/head` when only the ref was seen. */
  readonly headRef: string;
  /** The head's repository `owner/name`: the request's own, else the watched repository's. */
  readonly headRepository: string;
  readonly headCloneUrl: string;
}

/** The facts of a `pull_request.*` event; throws for any other event (a programming error). */
export function pullRequestFactsOf(event: ChangeEvent): PullRequestEventFacts {
  const request = event.pullRequest;
  if (request === undefined) throw new Error(`Event ${event.id} is not a pull request event`);
  const repository = repositoryCoordinatesOf(
    event.repository.url,
    event.repository.provider !== 'git',
  );
  const headIsFork = request.fork === true;
  return {
    action: event.type.slice('pull_request.'.length) as PullRequestAction,
    request,
    repository,
    detectedAt: event.detectedAt.toISOString(),
    headRef: request.head.ref ?? shortRefName(event.ref).replace(/^refs\//, ''),
    headRepository: request.head.repository ?? (headIsFork ? '' : repository.fullName),
    headCloneUrl: request.head.cloneUrl ?? (headIsFork ? '' : repository.cloneUrl),
  };
}
