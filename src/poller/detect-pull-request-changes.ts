import type { Provider, PullRequestsConfig } from '../config/config-types.js';
import {
  pullRequestNumberOf,
  pullRequestRef,
  type PullRequestEventType,
  type PullRequestFacts,
} from '../events/change-event.js';
import type { PullRequestListing } from '../gitclient/index.js';

export interface PullRequestTransition {
  readonly type: PullRequestEventType;
  readonly ref: string;
  readonly before: string | null;
  readonly after: string | null;
  readonly pullRequest: PullRequestFacts;
}

export interface DetectPullRequestsInput {
  readonly provider: Provider;
  /** The request refs the last poll recorded (open requests that matched), ref -> head sha. */
  readonly stored: ReadonlyMap<string, string>;
  readonly listing: PullRequestListing;
  readonly config: PullRequestsConfig;
  /** Request refs with a transition recorded before: a request back in the open set reopened. */
  readonly seenBefore: (ref: string) => boolean;
  /** Whether the silent first look at the requests was recorded. */
  readonly baselined: boolean;
  readonly triggerOnFirstSeen: boolean;
}

export interface DetectPullRequestsResult {
  readonly upsert: readonly { readonly ref: string; readonly sha: string }[];
  readonly remove: readonly string[];
  readonly transitions: readonly PullRequestTransition[];
}

/**
 * Compares a look at the requests with the recorded ones. The state keeps each open request that
 * matches the config under its ref, with its head sha. A request that starts to match is opened
 * (reopened when it was seen before), one whose head moved is updated, one found closed or merged,
 * or missing from a complete open list, is closed or merged; one that stops matching (a new
 * target branch, turned draft) is forgotten silently. The first look is a silent baseline.
 *
 * A listing of refs (`known: ref`, no target branch, draft or fork) is compared only where the
 * config needs none of those (plain git remotes, see the config's check); when it stands in for a
 * failed API it only moves the heads of requests already recorded: whether a new one may be
 * reported, or an old one closed, waits for the API.
 */
export function detectPullRequestChanges(input: DetectPullRequestsInput): DetectPullRequestsResult {
  const { stored, listing, config, provider } = input;
  const refsOnly = listing.via === 'ls-remote';
  const mayOpen = !refsOnly || provider === 'git';
  const report = input.baselined || input.triggerOnFirstSeen;
  const upsert: { ref: string; sha: string }[] = [];
  const remove: string[] = [];
  const transitions: PullRequestTransition[] = [];
  const matches = (facts: PullRequestFacts): boolean =>
    facts.known === 'ref' ||
    ((facts.base === undefined || config.targetBranchRegex.test(facts.base.ref)) &&
      (config.includeDrafts || facts.draft !== true) &&
      (config.includeForks || facts.fork !== true));

  for (const facts of listing.open.values()) {
    const ref = pullRequestRef(provider, facts.number);
    const before = stored.get(ref);
    const sha = facts.head.sha;
    if (!matches(facts)) {
      if (before !== undefined) remove.push(ref);
      continue;
    }
    if (before === sha) continue;
    if (before !== undefined) {
      upsert.push({ ref, sha });
      transitions.push({
        type: 'pull_request.updated',
        ref,
        before,
        after: sha,
        pullRequest: facts,
      });
      continue;
    }
    if (!mayOpen) continue;
    upsert.push({ ref, sha });
    if (!report) continue;
    const type = input.seenBefore(ref) ? 'pull_request.reopened' : 'pull_request.opened';
    transitions.push({ type, ref, before: null, after: sha, pullRequest: facts });
  }

  const gone = (ref: string, sha: string, facts: PullRequestFacts): void => {
    remove.push(ref);
    const type = facts.state === 'merged' ? 'pull_request.merged' : 'pull_request.closed';
    transitions.push({ type, ref, before: sha, after: facts.head.sha, pullRequest: facts });
  };
  for (const facts of listing.closed.values()) {
    const ref = pullRequestRef(provider, facts.number);
    const before = stored.get(ref);
    if (before !== undefined) gone(ref, before, facts);
  }
  if (listing.complete) {
    for (const [ref, sha] of stored) {
      const number = pullRequestNumberOf(ref);
      if (number === undefined || listing.open.has(number) || listing.closed.has(number)) continue;
      // Gone from the host altogether: closed, with what the last poll knew.
      gone(ref, sha, { number, state: 'closed', known: 'ref', head: { sha } });
    }
  }
  transitions.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  return { upsert, remove, transitions };
}
