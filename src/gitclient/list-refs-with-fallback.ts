import type { RepositoryConfig } from '../config/config-types.js';
import { RateLimitError, ReposentryError, type ErrorCode } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import { CostMeter } from './cost-meter.js';
import type { ListRefsOptions, RefListing } from './git-client.js';
import { PollBudget } from './poll-budget.js';
import type { ProviderClient } from './provider-client.js';
import type { ListPullRequestsOptions, PullRequestListing } from './pull-request-listing.js';

/** API failures that ls-remote may stand in for; auth and not-found are reported as they are. */
export const FALLBACK_CODES: readonly ErrorCode[] = [
  'forge-unavailable',
  'forge-rate-limited',
  'forge-bad-response',
];

/** Share of polling.timeout the API attempt may use when a fallback could still follow. */
const API_SHARE = 0.5;

export interface FallbackPolicy {
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * One listing bounded by polling.timeout: the provider API first and, when it fails with a
 * network error, timeout, 5xx, bad answer or rate limit, `git ls-remote` with the same token.
 * With the fallback enabled the API gets half the timeout so ls-remote keeps time to run; a
 * rate-limit wait longer than that fails fast into the fallback instead of blocking a worker.
 */
export function listRefsWithFallback(
  api: ProviderClient,
  lsRemote: ProviderClient,
  repo: RepositoryConfig,
  options: ListRefsOptions,
  policy: FallbackPolicy,
): Promise<RefListing> {
  return withFallback(repo, options.signal, policy, {
    api: (budget, meter) => api.listRefs(repo, { ...options, budget, meter }),
    fallback: async (budget, meter, code) => ({
      ...(await lsRemote.listRefs(repo, { ...options, budget, meter })),
      fallbackReason: code,
    }),
  });
}

/** The same for a repository's pull (merge) requests: their refs when the API fails. */
export function listPullRequestsWithFallback(
  api: ProviderClient,
  lsRemote: ProviderClient,
  repo: RepositoryConfig,
  options: ListPullRequestsOptions,
  policy: FallbackPolicy,
): Promise<PullRequestListing> {
  const listApi = api.listPullRequests?.bind(api);
  const listRefs = lsRemote.listPullRequests?.bind(lsRemote);
  if (listApi === undefined || listRefs === undefined) {
    throw new ReposentryError('internal', `No pull request listing for ${repo.provider}`);
  }
  return withFallback(repo, options.signal, policy, {
    api: (budget, meter) => listApi(repo, { ...options, budget, meter }),
    fallback: (budget, meter) => listRefs(repo, { ...options, budget, meter }),
  });
}

async function withFallback<T>(
  repo: RepositoryConfig,
  signal: AbortSignal,
  policy: FallbackPolicy,
  calls: {
    api: (budget: PollBudget, meter: CostMeter) => Promise<T>;
    fallback: (budget: PollBudget, meter: CostMeter, code: ErrorCode) => Promise<T>;
  },
): Promise<T> {
  const budget = PollBudget.start(signal, policy.timeoutMs, policy.now);
  const apiBudget = policy.enabled ? budget.slice(Math.ceil(policy.timeoutMs * API_SHARE)) : budget;
  try {
    const meter = new CostMeter();
    let failure: ReposentryError;
    try {
      return await calls.api(apiBudget, meter);
    } catch (err) {
      failure =
        err instanceof ReposentryError
          ? err
          : new ReposentryError('internal', `Listing ${repo.name} failed unexpectedly`, {
              cause: err,
            });
    }
    if (!policy.enabled || budget.cancelled || !FALLBACK_CODES.includes(failure.code))
      throw failure;
    policy.log.warn('Provider API failed, falling back to git ls-remote', {
      repo: repo.name,
      provider: repo.provider,
      code: failure.code,
      ...(failure instanceof RateLimitError ? { resetAt: failure.resetAt.toISOString() } : {}),
    });
    return await calls.fallback(budget, meter, failure.code);
  } finally {
    if (apiBudget !== budget) apiBudget.dispose();
    budget.dispose();
  }
}
