import type { RepositoryConfig } from '../config/config-types.js';
import type { ErrorCode } from '../errors/reposentry-error.js';

/** How a listing was obtained: the provider's REST API, or `git ls-remote` against the repository url. */
export const REF_SOURCES = ['api', 'ls-remote'] as const;
export type RefSource = (typeof REF_SOURCES)[number];

/** What one listing cost, counted per HTTP request actually sent (retries included). */
export interface RefCost {
  /** Requests sent (API requests plus one per `git ls-remote` run). */
  readonly requests: number;
  /** Requests that cost primary rate-limit quota (a 304 or a rate-limit rejection costs none). */
  readonly quotaUnits: number;
  /** Conditional requests answered 304 Not Modified. */
  readonly notModified: number;
}

export interface RefListing {
  /**
   * Full ref name (`refs/heads/main`, `refs/tags/v1`) -> commit sha. Annotated tags are peeled to
   * the commit they point at. Tags are present only when they were asked for.
   */
  readonly refs: ReadonlyMap<string, string>;
  /** True when every conditional request was answered 304: `refs` then come from the ETag cache. */
  readonly unchanged: boolean;
  readonly via: RefSource;
  readonly cost: RefCost;
  /** Set when the API failed and `git ls-remote` answered instead: the API failure's code. */
  readonly fallbackReason?: ErrorCode;
}

export interface PushDetailsOptions {
  readonly signal: AbortSignal;
  /** The time the reads may take in all (a rate-limit wait longer than this is not waited). */
  readonly timeoutMs: number;
}

export interface ListRefsOptions {
  /** List tags as well (only when the repository watches tags: saves quota). */
  readonly includeTags: boolean;
  /** Cancels the listing (shutdown, poller deadline); the git child process is killed. */
  readonly signal: AbortSignal;
}

/** Rate-limit state reported by a forge for one API host and credential. */
export interface RateLimitSnapshot {
  readonly provider: 'github' | 'gitlab';
  /** API host, e.g. `api.github.com` or `gitlab.example.com:8443`. */
  readonly host: string;
  /** Which credential: `sha256:<first 8 hex of the token's hash>` or `anonymous`. Never the token. */
  readonly account: string;
  readonly limit: number;
  readonly remaining: number;
  readonly resetAt: Date;
  /** Present while a poll is waiting for this limit to reset. */
  readonly waitingUntil?: Date;
}

/**
 * Lists the branches (and tags) of one repository. Implementations throw only `ReposentryError`s
 * (codes `forge-*`, `git-*`, `cancelled`); no SDK error ever leaves src/gitclient/.
 */
export interface GitClient {
  listRefs(repo: RepositoryConfig, options: ListRefsOptions): Promise<RefListing>;
  /** Optional capability: current rate-limit state of every API credential in use. */
  rateLimits?(): readonly RateLimitSnapshot[];
}

/** `refs/heads/<name>` / `refs/tags/<name>`. */
export function branchRef(name: string): string {
  return `refs/heads/${name}`;
}

export function tagRef(name: string): string {
  return `refs/tags/${name}`;
}
