import type { PullRequestFacts } from '../events/change-event.js';
import type { PollBudget } from './poll-budget.js';
import type { CostMeter } from './cost-meter.js';
import type { RefCost, RefSource } from './git-client.js';

/**
 * What one look at a repository's pull (merge) requests found.
 * - `open`: every open request (`complete`), or only those changed since `since` that are open.
 * - `closed`: requests found closed or merged (the final look at one that left the open list, or
 *   a change since `since`).
 * - `complete`: `open` is the whole open set, so a stored request missing from it and from
 *   `closed` is not open any more; false when only changes were listed (GitLab's
 *   `updated_after`) or when refs were read (`via: ls-remote`: heads without states).
 */
export interface PullRequestListing {
  readonly open: ReadonlyMap<number, PullRequestFacts>;
  readonly closed: ReadonlyMap<number, PullRequestFacts>;
  readonly complete: boolean;
  readonly via: RefSource;
  readonly cost: RefCost;
}

export interface ListPullRequestsOptions {
  readonly signal: AbortSignal;
  /** Open requests recorded by the last poll: those missing from the open list are looked up. */
  readonly knownOpen: ReadonlySet<number>;
  /**
   * Epoch ms: only what changed since then is needed (GitLab lists by `updated_after`); absent
   * for a first look, which lists every open request.
   */
  readonly since?: number;
  /** The time the listing may take (default polling.timeout): what the poll has left. */
  readonly timeoutMs?: number;
  /** The poll's time left and its cost meter, shared with the ref listing. */
  readonly budget?: PollBudget;
  readonly meter?: CostMeter;
}
