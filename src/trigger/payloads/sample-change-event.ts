import type { Provider } from '../../config/config-types.js';
import {
  eventIdOf,
  isPullRequestEvent,
  pullRequestRef,
  type ChangeEvent,
  type EventType,
  type PullRequestFacts,
} from '../../events/change-event.js';
import { repositoryCoordinatesOf } from './repository-coordinates.js';

export interface SampleChangeEventOptions {
  readonly type?: EventType;
  /**
   * Defaults to `refs/heads/main` for branch events, `refs/tags/v1.0.0` for tag events. Pull
   * request events always use the sample request's ref (`pullRequestRef`).
   */
  readonly ref?: string;
  /** Sha the ref pointed to before (ignored for `*.created`, `pull_request.opened|reopened`). */
  readonly before?: string;
  /** Sha the ref points to after (ignored for `*.deleted`); a request's head sha. */
  readonly after?: string;
  readonly detectedAt?: Date;
}

/** Placeholder shas of a sample event: recognisable, never a real commit. */
export const SAMPLE_BEFORE_SHA = '1111111111111111111111111111111111111111';
export const SAMPLE_AFTER_SHA = '2222222222222222222222222222222222222222';
/** The tip of the sample pull request's target branch. */
export const SAMPLE_BASE_SHA = '3333333333333333333333333333333333333333';

/** The sample pull (merge) request: its number, branches and author. */
export const SAMPLE_PULL_REQUEST = {
  number: 42,
  title: 'Sample change from reposentry test-webhook',
  author: 'sample-author',
  headRef: 'reposentry-sample',
  baseRef: 'main',
} as const;

/** The transition number of a sample event (no ref's counter moves for it). */
const SAMPLE_TRANSITION = 1;

/**
 * A well-formed ChangeEvent for `reposentry test-webhook` and tests: the id is computed exactly
 * as for detected changes, `before` is null for `*.created`, `after` null for `*.deleted`.
 * A `pull_request.*` event describes the sample request (SAMPLE_PULL_REQUEST) as a Git host's API
 * lists it, on its request ref, with shas as the poller records them: `before` null when the
 * request (re)opens, the previous head for an update, the last head when it closes or merges.
 */
export function sampleChangeEvent(
  repository: { readonly name: string; readonly url: string; readonly provider: Provider },
  options: SampleChangeEventOptions = {},
): ChangeEvent {
  const type = options.type ?? 'branch.updated';
  if (isPullRequestEvent({ type })) return samplePullRequestEvent(repository, type, options);
  const ref = options.ref ?? (type.startsWith('tag.') ? 'refs/tags/v1.0.0' : 'refs/heads/main');
  const before = type.endsWith('.created') ? null : (options.before ?? SAMPLE_BEFORE_SHA);
  const after = type.endsWith('.deleted') ? null : (options.after ?? SAMPLE_AFTER_SHA);
  return {
    id: eventIdOf(repository.name, ref, before, after, SAMPLE_TRANSITION),
    type,
    repository: { name: repository.name, url: repository.url, provider: repository.provider },
    ref,
    before,
    after,
    transition: SAMPLE_TRANSITION,
    detectedAt: options.detectedAt ?? new Date(),
  };
}

function samplePullRequestEvent(
  repository: { readonly name: string; readonly url: string; readonly provider: Provider },
  type: EventType,
  options: SampleChangeEventOptions,
): ChangeEvent {
  const { provider } = repository;
  const ref = pullRequestRef(provider, SAMPLE_PULL_REQUEST.number);
  const after = options.after ?? SAMPLE_AFTER_SHA;
  const before =
    type === 'pull_request.opened' || type === 'pull_request.reopened'
      ? null
      : type === 'pull_request.updated'
        ? (options.before ?? SAMPLE_BEFORE_SHA)
        : (options.before ?? after);
  return {
    id: eventIdOf(repository.name, ref, before, after, SAMPLE_TRANSITION),
    type,
    repository: { name: repository.name, url: repository.url, provider },
    ref,
    before,
    after,
    transition: SAMPLE_TRANSITION,
    detectedAt: options.detectedAt ?? new Date(),
    pullRequest: samplePullRequestFacts(repository, type, after),
  };
}

function samplePullRequestFacts(
  repository: { readonly url: string; readonly provider: Provider },
  type: EventType,
  headSha: string,
): PullRequestFacts {
  const { provider } = repository;
  const coordinates = repositoryCoordinatesOf(repository.url, provider !== 'git');
  const { number } = SAMPLE_PULL_REQUEST;
  // The request's page where the host has one (plain git remotes have no web UI).
  const url =
    !coordinates.hasWebUrl || provider === 'git'
      ? undefined
      : provider === 'gitlab'
        ? `${coordinates.webUrl}/-/merge_requests/${number}`
        : `${coordinates.webUrl}/pull/${number}`;
  return {
    number,
    state:
      type === 'pull_request.merged'
        ? 'merged'
        : type === 'pull_request.closed'
          ? 'closed'
          : 'open',
    known: 'api',
    title: SAMPLE_PULL_REQUEST.title,
    draft: false,
    ...(url === undefined ? {} : { url }),
    author: SAMPLE_PULL_REQUEST.author,
    head: {
      sha: headSha,
      ref: SAMPLE_PULL_REQUEST.headRef,
      repository: coordinates.fullName,
      cloneUrl: coordinates.cloneUrl,
    },
    base: { ref: SAMPLE_PULL_REQUEST.baseRef, sha: SAMPLE_BASE_SHA },
    fork: false,
  };
}
