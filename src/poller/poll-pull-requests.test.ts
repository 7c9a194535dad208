import { ReposentryError } from '../errors/reposentry-error.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFromObject } from '../config/load-config.js';
import type { RepositoryConfig } from '../config/config-types.js';
import type { PullRequestFacts } from '../events/change-event.js';
import type { PullRequestListing, ListPullRequestsOptions } from '../gitclient/index.js';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import { sha, useTempStorage } from '../../test/storage/storage-fixtures.js';
import { pollRepository } from '../poller/poll-repository.js';

const config = loadConfigFromObject(
  {
    tekton: { event_listener_url: 'http://127.0.0.1:9/' },
    repositories: [
      {
        name: 'gh',
        url: 'https://github.com/org/gh',
        provider: 'github',
        branch_regex: '.*',
        pull_requests: true,
      },
      {
        name: 'gl',
        url: 'https://gitlab.com/org/gl',
        provider: 'gitlab',
        branch_regex: '.*',
        pull_requests: true,
      },
    ],
  },
  { env: {} },
);
const gh = config.repositories[0] as RepositoryConfig;
const gl = config.repositories[1] as RepositoryConfig;
const COST = { requests: 1, quotaUnits: 1, notModified: 0 };

const apiPull = (
  n: number,
  head: string,
  state: PullRequestFacts['state'] = 'open',
): PullRequestFacts => ({
  number: n,
  state,
  known: 'api',
  title: `#${n}`,
  draft: false,
  head: { sha: head, ref: `f${n}` },
  base: { ref: 'main' },
  fork: false,
});
const refPull = (n: number, head: string): PullRequestFacts => ({
  number: n,
  state: 'open',
  known: 'ref',
  head: { sha: head },
});

function client(listPulls: (o: ListPullRequestsOptions) => PullRequestListing) {
  return {
    listRefs: () =>
      Promise.resolve({
        refs: new Map([['refs/heads/main', sha(0)]]),
        unchanged: false,
        via: 'api' as const,
        cost: COST,
      }),
    listPullRequests: (_r: RepositoryConfig, o: ListPullRequestsOptions) =>
      Promise.resolve(listPulls(o)),
  };
}

describe('pollRepository with pull requests', () => {
  const temp = useTempStorage();
  beforeEach(async () => {
    await temp.storage.repositories.syncFromConfig([gh, gl]);
  });

  it('GitHub: a first look served by the ls-remote fallback is no baseline; the next API look must not burst "opened"', async () => {
    let call = 0;
    const c = client(() => {
      call += 1;
      const open = new Map<number, PullRequestFacts>();
      for (const n of [1, 2, 3])
        open.set(n, call === 1 ? refPull(n, sha(10 + n)) : apiPull(n, sha(10 + n)));
      return call === 1
        ? { open, closed: new Map(), complete: false, via: 'ls-remote', cost: COST }
        : { open, closed: new Map(), complete: true, via: 'api', cost: COST };
    });
    const deps = {
      storage: temp.storage,
      gitClient: () => c,
      config: () => config,
      log: createCaptureLogger().log,
    };
    const first = await pollRepository(gh, new AbortController().signal, deps);
    expect(first.report.ok).toBe(true);
    const second = await pollRepository(gh, new AbortController().signal, deps);
    // The contract: the first look at requests is a silent baseline, never a burst.
    expect(second.report.newEvents.map((e) => e.type)).toEqual([]);
  });

  it('GitLab: a merge during an API outage bridged by ls-remote is never reported (updated_after skips it)', async () => {
    const MIN = 60_000;
    let clock = 0;
    // GitLab's model: MR !1, head A, merged at minute 1 (its updated_at).
    const mr = { n: 1, head: sha(21), state: 'open' as PullRequestFacts['state'], updatedAt: 0 };
    let apiUp = true;
    const seenSince: (number | undefined)[] = [];
    const c = client((o) => {
      seenSince.push(o.since);
      if (!apiUp) {
        // refs/merge-requests/1/head is kept by GitLab after the merge.
        return {
          open: new Map([[1, refPull(1, mr.head)]]),
          closed: new Map(),
          complete: false,
          via: 'ls-remote',
          cost: COST,
        };
      }
      const listed = o.since === undefined ? mr.state === 'open' : mr.updatedAt > o.since;
      const open = new Map<number, PullRequestFacts>();
      const closed = new Map<number, PullRequestFacts>();
      if (listed) (mr.state === 'open' ? open : closed).set(1, apiPull(1, mr.head, mr.state));
      return { open, closed, complete: o.since === undefined, via: 'api', cost: COST };
    });
    const deps = {
      storage: temp.storage,
      gitClient: () => c,
      config: () => config,
      log: createCaptureLogger().log,
      now: () => clock,
    };
    await pollRepository(gl, new AbortController().signal, deps); // t=0 baseline, !1 open
    clock = 1 * MIN;
    mr.state = 'merged';
    mr.updatedAt = 1 * MIN;
    apiUp = false;
    clock = 10 * MIN;
    const during = await pollRepository(gl, new AbortController().signal, deps); // fallback, succeeds
    expect(during.report.ok).toBe(true);
    apiUp = true;
    clock = 20 * MIN;
    const after = await pollRepository(gl, new AbortController().signal, deps);
    expect(seenSince).toEqual([undefined, 0 - 5 * MIN, 0 - 5 * MIN]);
    expect(after.report.newEvents.map((e) => e.type)).toEqual(['pull_request.merged']);
  });

  it('records branches and tags when the requests cannot be listed, keeping the requests as they were', async () => {
    let fail = false;
    const c = {
      ...client(() => ({
        open: new Map([[1, apiPull(1, sha(31))]]),
        closed: new Map(),
        complete: true,
        via: 'api',
        cost: COST,
      })),
    };
    const listPulls = c.listPullRequests;
    c.listPullRequests = async (r, o) => {
      if (fail) throw new ReposentryError('forge-unauthorized', 'GitHub API: 403 on pulls');
      return listPulls(r, o);
    };
    const capture = createCaptureLogger();
    const deps = {
      storage: temp.storage,
      gitClient: () => c,
      config: () => config,
      log: capture.log,
    };
    await pollRepository(gh, new AbortController().signal, deps);
    fail = true;
    c.listRefs = () =>
      Promise.resolve({
        refs: new Map([['refs/heads/main', sha(1)]]),
        unchanged: false,
        via: 'api' as const,
        cost: COST,
      });
    const failed = await pollRepository(gh, new AbortController().signal, deps);
    expect(failed.report.ok).toBe(true);
    expect(failed.report.newEvents.map((e) => e.type)).toEqual(['branch.updated']);
    expect((await temp.storage.refStates.shas('gh')).get('refs/pull/1/head')).toBe(sha(31));
    expect(capture.entries().map((e) => [e.level, e.message, e['code']])).toContainEqual([
      'warn',
      'Pull requests could not be listed; branches and tags are recorded',
      'forge-unauthorized',
    ]);
  });
});
