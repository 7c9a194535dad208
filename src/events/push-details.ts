import type { ErrorCode } from '../errors/reposentry-error.js';

/**
 * What the Git host's API tells about one ref change beyond its shas, read when its first
 * delivery is built (never during the poll: the outbox write stays one short transaction). Each
 * part is present only when the host answered for it; `missing` says what was not and why.
 */
export interface PushDetails {
  readonly repository?: RepositoryDetails;
  /** The commit the ref points at now. */
  readonly headCommit?: CommitDetails;
  /** The commits the change brought, oldest first: the newest MAX_PUSH_COMMITS of them. */
  readonly commits?: readonly CommitDetails[];
  /** How many commits the change brought in all (`commits` may hold fewer). */
  readonly totalCommits?: number;
  /** The old sha is not an ancestor of the new one (the host's compare said diverged or behind). */
  readonly forced?: boolean;
  /** The host's page comparing before and after. */
  readonly compareUrl?: string;
  readonly missing: readonly MissingDetail[];
  /** What reading them cost, as the poll counts it. */
  readonly cost: { readonly requests: number; readonly quotaUnits: number };
}

export interface RepositoryDetails {
  readonly id: number;
  readonly private: boolean;
  /** GitLab tells internal (any signed-in user) apart from private; GitHub's answer is `private`. */
  readonly visibility?: 'private' | 'internal' | 'public';
  readonly defaultBranch: string;
}

export interface PersonDetails {
  readonly name: string;
  readonly email: string;
  /** The host account of the person, when the host could match the email to one. */
  readonly username?: string;
}

export interface CommitDetails {
  readonly id: string;
  readonly message: string;
  /** ISO 8601 with the offset the host gave (the author's time, as push hooks carry it). */
  readonly timestamp: string;
  readonly url: string;
  readonly author: PersonDetails;
  readonly committer: PersonDetails;
}

/** One part the host did not tell, and why (for the log line and the delivery's record). */
export interface MissingDetail {
  readonly part: 'repository' | 'head_commit' | 'compare';
  readonly code: ErrorCode;
  readonly message: string;
}

/** A push hook carries at most this many commits (GitLab's limit; GitHub bindings read the head). */
export const MAX_PUSH_COMMITS = 20;

/** The change whose details are asked for: a ref and its shas (null when created or deleted). */
export interface PushChange {
  readonly ref: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** Keeps the newest `MAX_PUSH_COMMITS` of commits listed oldest first. */
export function newestCommits<T>(commits: readonly T[]): T[] {
  return commits.slice(Math.max(0, commits.length - MAX_PUSH_COMMITS));
}
