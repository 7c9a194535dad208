import { createHash } from 'node:crypto';
import type { Provider } from '../config/config-types.js';

export const REF_KINDS = ['branch', 'tag'] as const;
export type RefKind = (typeof REF_KINDS)[number];

export const CHANGE_ACTIONS = ['created', 'updated', 'deleted'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export const REF_EVENT_TYPES = [
  'branch.created',
  'branch.updated',
  'branch.deleted',
  'tag.created',
  'tag.updated',
  'tag.deleted',
] as const satisfies readonly `${RefKind}.${ChangeAction}`[];
export type RefEventType = (typeof REF_EVENT_TYPES)[number];

export const PULL_REQUEST_ACTIONS = ['opened', 'updated', 'closed', 'merged', 'reopened'] as const;
export type PullRequestAction = (typeof PULL_REQUEST_ACTIONS)[number];

export const PULL_REQUEST_EVENT_TYPES = PULL_REQUEST_ACTIONS.map(
  (action) => `pull_request.${action}` as const,
) as readonly `pull_request.${PullRequestAction}`[];
export type PullRequestEventType = `pull_request.${PullRequestAction}`;

export const EVENT_TYPES = [...REF_EVENT_TYPES, ...PULL_REQUEST_EVENT_TYPES] as const;
export type EventType = RefEventType | PullRequestEventType;

/**
 * A pull (merge) request as the Git host describes it, recorded with each of its events: what its
 * payloads carry. Hosts without an API (plain git) know only the head: see `known`.
 */
export interface PullRequestFacts {
  /** GitHub's pull number, GitLab's merge request iid. */
  readonly number: number;
  /** `open`, `closed` (without merging) or `merged`. */
  readonly state: 'open' | 'closed' | 'merged';
  /** What the host told: `api` (title, branches, author...) or `ref` (the head sha alone). */
  readonly known: 'api' | 'ref';
  readonly title?: string;
  readonly draft?: boolean;
  /** The request's web page. */
  readonly url?: string;
  /** The author's account name. */
  readonly author?: string;
  readonly head: {
    readonly sha: string;
    readonly ref?: string;
    /** `owner/name` (GitLab: the full path) of the repository the head lives in. */
    readonly repository?: string;
    readonly cloneUrl?: string;
  };
  readonly base?: { readonly ref: string; readonly sha?: string };
  /** The head lives in another repository than the base. */
  readonly fork?: boolean;
}

/** The all-zero sha GitHub and GitLab use for "no commit" in push payloads. */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** One detected ref transition, as recorded in storage and sent to the EventListener. */
export interface ChangeEvent {
  /** Deterministic: see `eventIdOf`. */
  readonly id: string;
  readonly type: EventType;
  readonly repository: {
    readonly name: string;
    readonly url: string;
    readonly provider: Provider;
  };
  /** Full ref name: `refs/heads/main`, `refs/tags/v1.0`. */
  readonly ref: string;
  /** Sha before the change; null when the ref was created. */
  readonly before: string | null;
  /** Sha after the change; null when the ref was deleted. */
  readonly after: string | null;
  /**
   * The ref's transition number: 1 for the first transition ever recorded for (repository,
   * ref), counting on across deletions and re-creations. Part of the id (see `eventIdOf`).
   */
  readonly transition: number;
  readonly detectedAt: Date;
  /** Present exactly on `pull_request.*` events: the request as seen at detection. */
  readonly pullRequest?: PullRequestFacts;
}

/**
 * The event id of a transition: a UUID-shaped digest of (repository, ref, before, after, the
 * ref's transition number). The same observation replayed (a crash before the outbox write, a
 * restart, two replicas reading the same state) computes the same number and so the same id: one
 * event. A transition that really happens again (A->B, B->A, A->B; a tag deleted and pushed again)
 * has the next number: a new event. The id is accepted wherever a delivery UUID is expected
 * (X-GitHub-Delivery, X-Gitlab-Event-UUID).
 */
export function eventIdOf(
  repository: string,
  ref: string,
  before: string | null,
  after: string | null,
  transition: number,
): string {
  const hex = createHash('sha256')
    .update([repository, ref, before ?? ZERO_SHA, after ?? ZERO_SHA, String(transition)].join('\0'))
    .digest('hex');
  // RFC 4122 layout with version nibble 5 and variant bits 10xx, like a name-based UUID.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    '5' + hex.slice(13, 16),
    variant + hex.slice(17, 20),
    hex.slice(20, 32),
  ].join('-');
}

export function refKindOf(ref: string): RefKind | undefined {
  if (ref.startsWith('refs/heads/')) return 'branch';
  if (ref.startsWith('refs/tags/')) return 'tag';
  return undefined;
}

/**
 * The ref a pull request's state and events are kept under: `refs/pull/<n>/head` (GitHub and
 * plain git remotes of GitHub), `refs/merge-requests/<n>/head` (GitLab). Its deliveries go out in
 * order on that ref's lane, and its transition numbers count on across closing and reopening.
 */
export function pullRequestRef(provider: Provider, number: number): string {
  return provider === 'gitlab' ? `refs/merge-requests/${number}/head` : `refs/pull/${number}/head`;
}

/** The request number of a pull-request ref, or undefined for any other ref. */
export function pullRequestNumberOf(ref: string): number | undefined {
  const match = /^refs\/(?:pull|merge-requests)\/(\d+)\/head$/.exec(ref);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function isPullRequestEvent(event: Pick<ChangeEvent, 'type'>): boolean {
  return event.type.startsWith('pull_request.');
}

/** `refs/heads/release/1.0` -> `release/1.0`. */
export function shortRefName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}
