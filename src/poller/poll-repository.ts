import type { Config, RepositoryConfig } from '../config/config-types.js';
import {
  RateLimitError,
  ReposentryError,
  errorCodeOf,
  errorMessageOf,
} from '../errors/reposentry-error.js';
import { eventIdOf, pullRequestNumberOf, type ChangeEvent } from '../events/change-event.js';
import type { GitClient, GitClientSet, PullRequestListing, RefCost } from '../gitclient/index.js';
import type { Logger } from '../logging/create-logger.js';
import type { PollRecordResult } from '../storage/poll-recorder.js';
import type { Storage } from '../storage/storage.js';
import { detectChanges, type RefTransition } from './detect-changes.js';
import {
  detectPullRequestChanges,
  type PullRequestTransition,
} from './detect-pull-request-changes.js';
import type { PollReport } from './poll-report.js';
import type { PollCause, PollOutcome } from './scheduler.js';
import { currentInterval } from './adaptive-interval.js';

export interface PollRepositoryDeps {
  readonly storage: Pick<
    Storage,
    | 'repositories'
    | 'refStates'
    | 'refTransitions'
    | 'pollStates'
    | 'recordPoll'
    | 'recordPollFailure'
  >;
  /** Lists refs, and pull requests for a repository that watches them. */
  readonly gitClient: () => GitClient & Partial<Pick<GitClientSet, 'listPullRequests'>>;
  readonly config: () => Config;
  readonly log: Logger;
  /** false: compare with the recorded state but write nothing (a dry run). */
  readonly record?: boolean;
  /** After a successful outbox write (wakes the delivery worker). */
  readonly onRecorded?: (result: PollRecordResult) => void;
  readonly onReport?: (report: PollReport) => void;
  readonly now?: () => number;
}

/**
 * One poll of one repository: list refs through its git client, compare with the recorded state,
 * and write the new state, the events and their pending deliveries in one transaction. A failure
 * is recorded and logged once with its code; it never throws.
 */
export async function pollRepository(
  repo: RepositoryConfig,
  signal: AbortSignal,
  deps: PollRepositoryDeps,
  cause: PollCause = { asked: false },
): Promise<{ outcome: PollOutcome; report: PollReport }> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const record = deps.record ?? true;
  try {
    // The state to compare with is read BEFORE the listing, transition numbers first: a write by
    // another poll between these reads and this poll's own write (a replica that took the
    // repository over while this one paused) has moved a number this poll then fails to compare
    // and set, so a listing older than the recorded state can never be recorded over it.
    // State recorded for another url (or a repository not watched yet: a dry run) is not this
    // repository's: compare with nothing, as a first poll does.
    const current = await deps.storage.repositories.isCurrent(repo);
    const lastNumbers = current
      ? await deps.storage.refTransitions.all(repo.name)
      : new Map<string, number>();
    const stored = current
      ? await deps.storage.refStates.shas(repo.name)
      : new Map<string, string>();
    const state = current ? await deps.storage.pollStates.get(repo.name) : undefined;
    const baselined = state?.baselined ?? { branch: false, tag: false, pull: false };
    const { refs: storedRefs, pulls: storedPulls } = splitPullRequestRefs(stored);
    const client = deps.gitClient();
    const listing = await client.listRefs(repo, {
      includeTags: repo.tagRegex !== undefined,
      signal,
    });
    // The request listing shares the poll's time: what the ref listing used is gone.
    const pullsListedAt = now();
    const pullListing = await listPullRequests(client, repo, signal, storedPulls, {
      baselined: baselined.pull,
      lastListedAt: state?.pullsListedAt ?? null,
      timeoutMs: Math.max(1, deps.config().polling.timeoutMs - (now() - startedAt)),
      log: deps.log,
    });
    const polledAt = now();
    const detected = detectChanges({
      stored: storedRefs,
      listed: listing.refs,
      repository: repo,
      baselined,
      triggerOnFirstSeen: deps.config().polling.triggerOnFirstSeen,
    });
    const pulls =
      pullListing === 'failed'
        ? // The requests could not be listed: branches and tags are recorded, requests kept.
          { upsert: [], remove: [], transitions: [] }
        : pullListing === undefined || repo.pullRequests === undefined
          ? // Not watched (or no longer): the recorded requests are forgotten silently.
            { upsert: [], remove: [...storedPulls.keys()], transitions: [] }
          : detectPullRequestChanges({
              provider: repo.provider,
              stored: storedPulls,
              listing: pullListing,
              config: repo.pullRequests,
              seenBefore: (ref) => (lastNumbers.get(ref) ?? 0) > 0,
              baselined: baselined.pull,
              triggerOnFirstSeen: deps.config().polling.triggerOnFirstSeen,
            });
    // Each transition takes its ref's next number, read with the state it was compared with: a
    // replay of this observation computes the same ids, a repeat of a transition new ones.
    const transitions: readonly (RefTransition | PullRequestTransition)[] = [
      ...detected.transitions,
      ...pulls.transitions,
    ];
    const events = transitions.map((t): ChangeEvent => {
      const transition = (lastNumbers.get(t.ref) ?? 0) + 1;
      return {
        id: eventIdOf(repo.name, t.ref, t.before, t.after, transition),
        type: t.type,
        repository: { name: repo.name, url: repo.url, provider: repo.provider },
        ref: t.ref,
        before: t.before,
        after: t.after,
        transition,
        detectedAt: new Date(polledAt),
        ...('pullRequest' in t ? { pullRequest: t.pullRequest } : {}),
      };
    });
    let newEvents: readonly ChangeEvent[] = events;
    // Adaptive polling counts from the last change, or the last poll someone asked for.
    const activeAt = events.length > 0 || cause.asked ? polledAt : (state?.activeAt ?? polledAt);
    if (record) {
      const result = await deps.storage.recordPoll({
        repository: repo,
        refs: {
          upsert: [...detected.upsert, ...pulls.upsert],
          remove: [...detected.remove, ...pulls.remove],
        },
        events,
        targets: [{ url: repo.eventListenerUrl, format: repo.payloadFormat }],
        pollState: {
          polledAt,
          nextPollAt:
            polledAt + currentInterval(repo, deps.config().polling, activeAt, polledAt).intervalMs,
          via: listing.via,
          baselined: {
            branch: true,
            tag: repo.tagRegex !== undefined,
            // A first look through refs alone (an API standing in) recorded nothing: the
            // silent baseline waits for the API, or it would be a burst of `opened` next time.
            pull:
              repo.pullRequests !== undefined &&
              (baselined.pull ||
                repo.provider === 'git' ||
                (pullListing !== 'failed' && pullListing?.via === 'api')),
          },
          ...(pullListing !== 'failed' && pullListing?.via === 'api' ? { pullsListedAt } : {}),
          ...(activeAt === polledAt ? { activeAt } : {}),
        },
      });
      newEvents = result.newEvents;
      if (result.newEvents.length > 0) deps.onRecorded?.(result);
    }
    const report: PollReport = {
      repository: repo.name,
      provider: repo.provider,
      ok: true,
      durationMs: now() - startedAt,
      via: listing.via,
      unchanged: listing.unchanged,
      refsListed: listing.refs.size,
      cost: addCosts(listing.cost, pullListing === 'failed' ? undefined : pullListing?.cost),
      events,
      newEvents,
      ...(listing.fallbackReason ? { fallbackReason: listing.fallbackReason } : {}),
    };
    for (const event of newEvents) {
      deps.log.info('Change detected', {
        repo: repo.name,
        type: event.type,
        ref: event.ref,
        eventId: event.id,
        after: event.after,
      });
    }
    deps.onReport?.(report);
    return { outcome: { ok: true, activeAt }, report };
  } catch (err) {
    const code = errorCodeOf(err);
    const message = errorMessageOf(err);
    const durationMs = now() - startedAt;
    let failures = 1;
    const cancelled = code === 'cancelled' || code === 'shutting-down';
    // The repository left the config or moved while this poll ran: its result belongs to no one.
    const superseded = code === 'conflict';
    if (record && !cancelled && !superseded) {
      try {
        failures = await deps.storage.recordPollFailure(repo, {
          code,
          message,
          at: now(),
          nextPollAt: now() + repo.pollingIntervalMs,
        });
      } catch (storageErr) {
        const storageCode = errorCodeOf(storageErr);
        (storageCode === 'conflict'
          ? deps.log.debug.bind(deps.log)
          : deps.log.error.bind(deps.log))('Could not record poll failure', {
          repo: repo.name,
          code: storageCode,
          error: errorMessageOf(storageErr),
        });
      }
    }
    if (superseded) {
      deps.log.info('Poll result dropped', { repo: repo.name, code, error: message, durationMs });
    } else {
      (cancelled ? deps.log.debug.bind(deps.log) : deps.log.warn.bind(deps.log))('Poll failed', {
        repo: repo.name,
        provider: repo.provider,
        code,
        error: message,
        durationMs,
        consecutiveFailures: failures,
      });
    }
    const report: PollReport = {
      repository: repo.name,
      provider: repo.provider,
      ok: false,
      durationMs,
      events: [],
      newEvents: [],
      code,
      error: message,
    };
    deps.onReport?.(report);
    if (superseded) return { outcome: { ok: true }, report };
    const retryAt = err instanceof RateLimitError ? err.resetAt : undefined;
    return { outcome: { ok: false, code, ...(retryAt ? { retryAt } : {}) }, report };
  }
}

/** Splits recorded refs into branches and tags, and pull (merge) request refs. */
function splitPullRequestRefs(stored: ReadonlyMap<string, string>): {
  refs: Map<string, string>;
  pulls: Map<string, string>;
} {
  const refs = new Map<string, string>();
  const pulls = new Map<string, string>();
  for (const [ref, sha] of stored) {
    (pullRequestNumberOf(ref) === undefined ? refs : pulls).set(ref, sha);
  }
  return { refs, pulls };
}

/**
 * How far back GitLab's `updated_after` looks past the last listing's start: clocks of the
 * daemon and the host may disagree, and a change seen twice is compared, not recorded twice.
 */
const SINCE_MARGIN_MS = 5 * 60_000;

/**
 * The requests of a repository that watches them; undefined for one that does not; `failed`
 * (logged with its code) when they could not be listed, so that a token without the right to
 * read requests, or requests switched off on the host, never stops branch and tag detection.
 */
async function listPullRequests(
  client: ReturnType<PollRepositoryDeps['gitClient']>,
  repo: RepositoryConfig,
  signal: AbortSignal,
  stored: ReadonlyMap<string, string>,
  state: {
    baselined: boolean;
    /** When the last listing through the API started: what changed since is asked for. */
    lastListedAt: number | null;
    timeoutMs: number;
    log: Logger;
  },
): Promise<PullRequestListing | 'failed' | undefined> {
  if (repo.pullRequests === undefined) return undefined;
  if (client.listPullRequests === undefined) {
    throw new ReposentryError('internal', `No pull request listing for ${repo.name}`);
  }
  const knownOpen = new Set<number>();
  for (const ref of stored.keys()) {
    const number = pullRequestNumberOf(ref);
    if (number !== undefined) knownOpen.add(number);
  }
  // Only what changed since the last listing through the API: polls that fell back to refs
  // in between saw no closes or merges, and their time never moves this one.
  const since =
    state.baselined && state.lastListedAt !== null
      ? state.lastListedAt - SINCE_MARGIN_MS
      : undefined;
  try {
    return await client.listPullRequests(repo, {
      signal,
      knownOpen,
      timeoutMs: state.timeoutMs,
      ...(since === undefined ? {} : { since }),
    });
  } catch (err) {
    const code = errorCodeOf(err);
    if (code === 'cancelled' || code === 'shutting-down' || signal.aborted) throw err;
    state.log.warn('Pull requests could not be listed; branches and tags are recorded', {
      repo: repo.name,
      code,
      error: errorMessageOf(err),
    });
    return 'failed';
  }
}

function addCosts(a: RefCost, b: RefCost | undefined): RefCost {
  if (b === undefined) return a;
  return {
    requests: a.requests + b.requests,
    quotaUnits: a.quotaUnits + b.quotaUnits,
    notModified: a.notModified + b.notModified,
  };
}
