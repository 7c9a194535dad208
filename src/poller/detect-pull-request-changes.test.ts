import { describe, expect, it } from 'vitest';
import type { PullRequestFacts } from '../events/change-event.js';
import type { PullRequestListing } from '../gitclient/index.js';
import {
  detectPullRequestChanges,
  type DetectPullRequestsInput,
} from './detect-pull-request-changes.js';

const sha = (n: number): string => n.toString(16).padStart(40, '0');
const ref = (n: number): string => `refs/pull/${n}/head`;

function pull(
  number: number,
  head: number,
  extra: Partial<PullRequestFacts> = {},
): PullRequestFacts {
  return {
    number,
    state: 'open',
    known: 'api',
    title: `Pull ${number}`,
    draft: false,
    head: { sha: sha(head), ref: `f/${number}` },
    base: { ref: 'main' },
    fork: false,
    ...extra,
  };
}

function listing(
  open: PullRequestFacts[],
  closed: PullRequestFacts[] = [],
  extra: Partial<PullRequestListing> = {},
): PullRequestListing {
  return {
    open: new Map(open.map((p) => [p.number, p])),
    closed: new Map(closed.map((p) => [p.number, p])),
    complete: true,
    via: 'api',
    cost: { requests: 1, quotaUnits: 1, notModified: 0 },
    ...extra,
  };
}

function detect(input: Partial<DetectPullRequestsInput>) {
  return detectPullRequestChanges({
    provider: 'github',
    stored: new Map(),
    listing: listing([]),
    config: {
      targetBranchPattern: '^main$',
      targetBranchRegex: /^main$/,
      includeDrafts: false,
      includeForks: false,
    },
    seenBefore: () => false,
    baselined: true,
    triggerOnFirstSeen: false,
    ...input,
  });
}

const summary = (r: ReturnType<typeof detect>) =>
  r.transitions.map((t) => [t.type, t.ref, t.before, t.after]);

describe('detectPullRequestChanges', () => {
  it('records the first look silently', () => {
    const result = detect({ baselined: false, listing: listing([pull(1, 1), pull(2, 2)]) });
    expect(result.transitions).toEqual([]);
    expect(result.upsert).toEqual([
      { ref: ref(1), sha: sha(1) },
      { ref: ref(2), sha: sha(2) },
    ]);
  });

  it('reports opened, updated (head moved), and reopened for a request seen before', () => {
    const result = detect({
      stored: new Map([[ref(1), sha(1)]]),
      listing: listing([pull(1, 10), pull(2, 2), pull(3, 3)]),
      seenBefore: (r) => r === ref(3),
    });
    expect(summary(result)).toEqual([
      ['pull_request.updated', ref(1), sha(1), sha(10)],
      ['pull_request.opened', ref(2), null, sha(2)],
      ['pull_request.reopened', ref(3), null, sha(3)],
    ]);
    expect(result.transitions[1]?.pullRequest.title).toBe('Pull 2');
  });

  it('reports merged and closed requests, and one gone from a complete list as closed', () => {
    const result = detect({
      stored: new Map([
        [ref(1), sha(1)],
        [ref(2), sha(2)],
        [ref(3), sha(3)],
      ]),
      listing: listing([], [pull(1, 1, { state: 'merged' }), pull(2, 2, { state: 'closed' })]),
    });
    expect(summary(result)).toEqual([
      ['pull_request.merged', ref(1), sha(1), sha(1)],
      ['pull_request.closed', ref(2), sha(2), sha(2)],
      ['pull_request.closed', ref(3), sha(3), sha(3)],
    ]);
    expect(result.remove).toEqual([ref(1), ref(2), ref(3)]);
  });

  it('keeps what a list of changes only does not mention', () => {
    const result = detect({
      stored: new Map([[ref(1), sha(1)]]),
      listing: listing([pull(2, 2)], [], { complete: false }),
    });
    expect(summary(result)).toEqual([['pull_request.opened', ref(2), null, sha(2)]]);
    expect(result.remove).toEqual([]);
  });

  it('applies the target branch, draft and fork filters, and forgets a request that stops matching', () => {
    const result = detect({
      stored: new Map([[ref(4), sha(4)]]),
      listing: listing([
        pull(1, 1, { base: { ref: 'release/1' } }),
        pull(2, 2, { draft: true }),
        pull(3, 3, { fork: true }),
        pull(4, 40, { draft: true }),
      ]),
    });
    expect(result.transitions).toEqual([]);
    expect(result.upsert).toEqual([]);
    expect(result.remove).toEqual([ref(4)]);
  });

  it('moves only recorded heads from refs standing in for a failed API', () => {
    const refOnly = (n: number, head: number): PullRequestFacts => ({
      number: n,
      state: 'open',
      known: 'ref',
      head: { sha: sha(head) },
    });
    const result = detect({
      stored: new Map([
        [ref(1), sha(1)],
        [ref(2), sha(2)],
      ]),
      listing: listing([refOnly(1, 10), refOnly(5, 5)], [], { complete: false, via: 'ls-remote' }),
    });
    expect(summary(result)).toEqual([['pull_request.updated', ref(1), sha(1), sha(10)]]);
    expect(result.remove).toEqual([]);
  });

  it('opens requests from refs on a plain git remote', () => {
    const result = detect({
      provider: 'git',
      listing: listing([{ number: 5, state: 'open', known: 'ref', head: { sha: sha(5) } }], [], {
        complete: false,
        via: 'ls-remote',
      }),
    });
    expect(summary(result)).toEqual([['pull_request.opened', ref(5), null, sha(5)]]);
  });
});
