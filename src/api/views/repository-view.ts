import type { PollingConfig, RepositoryConfig } from '../../config/config-types.js';
import { currentInterval } from '../../poller/adaptive-interval.js';
import type { RateLimitSnapshot } from '../../gitclient/index.js';
import type { ScheduleEntry } from '../../poller/scheduler.js';
import type { PollStateRecord } from '../../storage/poll-state-store.js';
import type { RefStateRecord } from '../../storage/ref-state-store.js';
import type { RateLimit } from '../schemas/status-schemas.js';
import type { Ref, RepositorySummary } from '../schemas/repository-schemas.js';
import { urlWithoutCredentials } from './url-without-credentials.js';

export interface RepositoryFacts {
  readonly repo: RepositoryConfig;
  readonly polling: PollingConfig;
  readonly poll: PollStateRecord | undefined;
  readonly schedule: ScheduleEntry | undefined;
  readonly rateLimit: RateLimitSnapshot | undefined;
  readonly refCount: number;
}

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function rateLimitView(snapshot: RateLimitSnapshot): RateLimit {
  return {
    provider: snapshot.provider,
    host: snapshot.host,
    account: snapshot.account,
    limit: snapshot.limit,
    remaining: snapshot.remaining,
    resetAt: snapshot.resetAt.toISOString(),
    ...(snapshot.waitingUntil ? { waitingUntil: snapshot.waitingUntil.toISOString() } : {}),
  };
}

/** A configured repository with what the poller knows of it (no token, no URL credentials). */
export function repositoryView(facts: RepositoryFacts): RepositorySummary {
  const { repo, poll, schedule } = facts;
  const failing = poll?.lastErrorCode !== null && poll?.lastErrorCode !== undefined;
  return {
    name: repo.name,
    provider: repo.provider,
    enabled: repo.enabled,
    source: repo.source ?? 'config',
    url: urlWithoutCredentials(repo.url),
    branchRegex: repo.branchPattern,
    tagRegex: repo.tagPattern ?? null,
    pollingIntervalSeconds: repo.pollingIntervalMs / 1000,
    ...intervalView(facts),
    eventListenerUrl: urlWithoutCredentials(repo.eventListenerUrl),
    payloadFormat: repo.payloadFormat,
    state: schedule?.state ?? null,
    lastPollAt: iso(poll?.lastPollAt),
    lastSuccessAt: iso(poll?.lastSuccessAt),
    nextPollAt: schedule?.nextPollAt?.toISOString() ?? iso(poll?.nextPollAt),
    lastError: failing
      ? { code: poll?.lastErrorCode ?? '', message: poll?.lastErrorMessage ?? '' }
      : null,
    consecutiveFailures: poll?.consecutiveFailures ?? 0,
    via: poll?.lastVia ?? null,
    fallbackInUse: repo.provider !== 'git' && poll?.lastVia === 'ls-remote',
    rateLimit: facts.rateLimit ? rateLimitView(facts.rateLimit) : null,
    refCount: facts.refCount,
  };
}

export function refView(record: RefStateRecord): Ref {
  return {
    ref: record.ref,
    sha: record.sha,
    seenAt: new Date(record.seenAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

/** The interval the last poll chose (adaptive polling stretches an idle repository's) and why. */
function intervalView(
  facts: RepositoryFacts,
): Pick<RepositorySummary, 'currentIntervalSeconds' | 'intervalReason' | 'activeAt'> {
  const { repo, poll, polling, schedule } = facts;
  const activeAt = schedule?.activeAt ?? poll?.activeAt ?? null;
  const current = currentInterval(repo, polling, activeAt, poll?.lastSuccessAt ?? Date.now());
  const stretch = schedule?.stretch ?? 1;
  return {
    currentIntervalSeconds: Math.round((current.intervalMs * stretch) / 1000),
    intervalReason: stretch > 1 ? 'quota' : current.reason,
    activeAt: iso(activeAt),
  };
}
