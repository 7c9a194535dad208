import type { Config, Provider, RepositoryConfig } from '../config/config-types.js';
import type { RequestOpener } from '../http/open-request.js';
import type { Logger } from '../logging/create-logger.js';
import { ReposentryError, errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { PushChange, PushDetails } from '../events/push-details.js';
import type {
  GitClient,
  ListRefsOptions,
  PushDetailsOptions,
  RateLimitSnapshot,
  RefListing,
} from './git-client.js';
import type { GitVersionProbe } from './git/git-version-probe.js';
import { LsRemoteClient } from './git/ls-remote-client.js';
import { createGithubFetch } from './github-fetch.js';
import { GithubClient } from './github/github-client.js';
import { GitlabClient } from './gitlab/gitlab-client.js';
import type { HttpCache } from './http-cache.js';
import { listPullRequestsWithFallback, listRefsWithFallback } from './list-refs-with-fallback.js';
import type { ListPullRequestsOptions, PullRequestListing } from './pull-request-listing.js';
import type {
  DiscoverySource,
  ListOwnerRepositoriesOptions,
  OwnerRepositoryListing,
} from './owner-repository-listing.js';
import { PollBudget } from './poll-budget.js';
import { quotaAccountOf } from './quota-account.js';
import type { ProviderClient } from './provider-client.js';

export interface GitClientDeps {
  /** The config snapshot: polling (timeout, retries, fallback) and rate_limit are used. */
  readonly config: Pick<Config, 'polling' | 'rateLimit'>;
  /** The gitclient component's logger (`root.child({ component: 'gitclient' })`). */
  readonly log: Logger;
  /** ETag store; storage's SQLite implementation in the daemon, MemoryHttpCache in tests. */
  readonly httpCache: HttpCache;
  /** `RepoSentry/<version>`. */
  readonly userAgent?: string;
  /** Environment git children start from (tests); defaults to process.env. */
  readonly gitEnv?: NodeJS.ProcessEnv;
  /** One per process, so git's version is asked once; else one per client set. */
  readonly gitVersion?: GitVersionProbe;
  /**
   * The connections GitHub API requests go out on, shared by every client set built from it and
   * closed by the composition root at stop; else each GitHub client opens its own pool.
   */
  readonly githubOpener?: RequestOpener;
  readonly now?: () => number;
}

export type GitClientFactory = (deps: GitClientDeps) => ProviderClient;

/**
 * Retries of a failed GitHub/GitLab API request within one poll. With the fallback on, none:
 * `git ls-remote` is the retry, and a failing API must not hold a poll worker through backoff
 * delays while other repositories wait. Without it, `polling.retry_attempts`.
 */
function apiRetries(config: Pick<Config, 'polling'>): number {
  return config.polling.enableApiFallback ? 0 : config.polling.retryAttempts;
}

/** Provider -> client implementation. */
export const GIT_CLIENT_FACTORIES: Readonly<Record<Provider, GitClientFactory>> = {
  github: (deps) =>
    new GithubClient({
      log: deps.log,
      cache: deps.httpCache,
      rateLimit: deps.config.rateLimit.github,
      retryAttempts: apiRetries(deps.config),
      retryBackoffMs: deps.config.polling.retryBackoffMs,
      userAgent: deps.userAgent ?? 'RepoSentry',
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.githubOpener ? { fetch: createGithubFetch({ opener: deps.githubOpener }) } : {}),
    }),
  gitlab: (deps) =>
    new GitlabClient({
      log: deps.log,
      rateLimit: deps.config.rateLimit.gitlab,
      retryAttempts: apiRetries(deps.config),
      retryBackoffMs: deps.config.polling.retryBackoffMs,
      userAgent: deps.userAgent ?? 'RepoSentry',
      ...(deps.now ? { now: deps.now } : {}),
    }),
  git: (deps) =>
    new LsRemoteClient({
      log: deps.log,
      retryAttempts: deps.config.polling.retryAttempts,
      retryBackoffMs: deps.config.polling.retryBackoffMs,
      ...(deps.gitEnv ? { baseEnv: deps.gitEnv } : {}),
      ...(deps.gitVersion ? { gitVersion: deps.gitVersion } : {}),
    }),
};

/** The clients of one config snapshot, dispatching on `repo.provider`. */
export interface GitClientSet extends GitClient {
  /**
   * The repository's pull (merge) requests, bounded by polling.timeout: the provider API, falling
   * back to the request refs as listRefs does; for `git`, the request refs.
   */
  listPullRequests(
    repo: RepositoryConfig,
    options: ListPullRequestsOptions,
  ): Promise<PullRequestListing>;
  /** Undefined for a provider whose client has no API to ask (`git`). */
  pushDetails(
    repo: RepositoryConfig,
    change: PushChange,
    options: PushDetailsOptions,
  ): Promise<PushDetails | undefined>;
  rateLimits(): readonly RateLimitSnapshot[];
  /**
   * Every repository of a GitHub organization or user, or of a GitLab group and its subgroups,
   * read through the provider's API within `options.timeoutMs` (no ls-remote fallback: a listing
   * that cannot be completed throws).
   */
  listOwnerRepositories(
    source: DiscoverySource,
    options: ListOwnerRepositoriesOptions,
  ): Promise<OwnerRepositoryListing>;
  /** The quota a repository's polls draw from (its API host and token), once a poll has seen it. */
  rateLimitFor(repo: RepositoryConfig): RateLimitSnapshot | undefined;
}

/**
 * Builds the client set for a config snapshot (rebuild it on reload: Octokits, caches of project
 * ids and quota views belong to the snapshot). listRefs is bounded by polling.timeout and falls
 * back from the API to ls-remote per polling.enable_api_fallback.
 */
export function createGitClients(
  deps: GitClientDeps,
  factories: Readonly<Record<Provider, GitClientFactory>> = GIT_CLIENT_FACTORIES,
): GitClientSet {
  const clients: Record<Provider, ProviderClient> = {
    github: factories.github(deps),
    gitlab: factories.gitlab(deps),
    git: factories.git(deps),
  };
  const { polling } = deps.config;
  return {
    listRefs(repo: RepositoryConfig, options: ListRefsOptions): Promise<RefListing> {
      if (repo.provider === 'git') {
        const budget = PollBudget.start(options.signal, polling.timeoutMs, deps.now);
        return clients.git.listRefs(repo, { ...options, budget }).finally(() => budget.dispose());
      }
      return listRefsWithFallback(clients[repo.provider], clients.git, repo, options, {
        enabled: polling.enableApiFallback,
        timeoutMs: polling.timeoutMs,
        log: deps.log,
        ...(deps.now ? { now: deps.now } : {}),
      });
    },
    listPullRequests(
      repo: RepositoryConfig,
      options: ListPullRequestsOptions,
    ): Promise<PullRequestListing> {
      if (repo.provider === 'git' || clients[repo.provider].listPullRequests === undefined) {
        const budget = PollBudget.start(
          options.signal,
          options.timeoutMs ?? polling.timeoutMs,
          deps.now,
        );
        return lsRemotePulls(clients.git, repo, { ...options, budget }).finally(() =>
          budget.dispose(),
        );
      }
      return listPullRequestsWithFallback(clients[repo.provider], clients.git, repo, options, {
        enabled: polling.enableApiFallback,
        timeoutMs: options.timeoutMs ?? polling.timeoutMs,
        log: deps.log,
        ...(deps.now ? { now: deps.now } : {}),
      });
    },
    async pushDetails(repo, change, options): Promise<PushDetails | undefined> {
      const client = clients[repo.provider];
      if (client.pushDetails === undefined) return undefined;
      try {
        return await client.pushDetails(repo, change, options);
      } catch (err) {
        // A repository whose url names no API location (checked at config time; defensive).
        return {
          missing: [{ part: 'repository', code: errorCodeOf(err), message: errorMessageOf(err) }],
          cost: { requests: 0, quotaUnits: 0 },
        };
      }
    },
    listOwnerRepositories(source, options): Promise<OwnerRepositoryListing> {
      const client = clients[source.provider];
      if (client.listOwnerRepositories === undefined) {
        return Promise.reject(
          new ReposentryError('internal', `No repository listing for provider ${source.provider}`),
        );
      }
      return client.listOwnerRepositories(source, options);
    },
    rateLimits(): RateLimitSnapshot[] {
      return Object.values(clients).flatMap((client) => client.rateLimits?.() ?? []);
    },
    rateLimitFor(repo: RepositoryConfig): RateLimitSnapshot | undefined {
      const quota = quotaAccountOf(repo);
      if (quota === undefined) return undefined;
      return clients[quota.provider]
        .rateLimits?.()
        .find(
          (s) =>
            s.provider === quota.provider && s.host === quota.host && s.account === quota.account,
        );
    },
  };
}

function lsRemotePulls(
  client: ProviderClient,
  repo: RepositoryConfig,
  options: ListPullRequestsOptions,
): Promise<PullRequestListing> {
  if (client.listPullRequests === undefined) {
    throw new ReposentryError('internal', 'git ls-remote cannot list pull requests');
  }
  return client.listPullRequests(repo, options);
}
