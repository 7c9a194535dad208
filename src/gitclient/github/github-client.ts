import pRetry from 'p-retry';
import type { RateLimitConfig, RepositoryConfig } from '../../config/config-types.js';
import { RateLimitError, ReposentryError, errorCodeOf } from '../../errors/reposentry-error.js';
import type { Logger } from '../../logging/create-logger.js';
import { CostMeter } from '../cost-meter.js';
import { credentialId } from '../credential-id.js';
import {
  branchRef,
  tagRef,
  type PushDetailsOptions,
  type RateLimitSnapshot,
  type RefListing,
} from '../git-client.js';
import { createGithubFetch, type FetchLike } from '../github-fetch.js';
import type { HttpCache } from '../http-cache.js';
import { PollBudget } from '../poll-budget.js';
import type { ProviderClient, ProviderListOptions } from '../provider-client.js';
import { QuotaTracker } from '../quota-tracker.js';
import {
  RequestGate,
  withRateLimitWaits,
  type GateBucket,
  type GateTicket,
} from '../request-gate.js';
import { TokenBucket } from '../token-bucket.js';
import { createOctokit, type GithubOctokit } from './create-octokit.js';
import { resolveGithubLocation, type GithubLocation } from './github-location.js';
import {
  decodePage,
  encodePage,
  isRateLimitRejection,
  parseRefPage,
  readGithubQuota,
} from './github-page.js';
import { mapGithubError } from './map-github-error.js';
import { parseEntries, readConditionalPages } from './conditional-pages.js';
import type { PushChange, PushDetails } from '../../events/push-details.js';
import { readPushDetails } from '../push-details-reader.js';
import type { PullRequestFacts } from '../../events/change-event.js';
import type { ListPullRequestsOptions, PullRequestListing } from '../pull-request-listing.js';
import { decodePullPage, encodePullPage, parseGithubPull } from './github-pull-shapes.js';
import {
  decodeRepository,
  encodeRepository,
  parseGithubCommit,
  parseGithubCompare,
  parseGithubRepository,
} from './github-commit-shapes.js';
import type { GithubAnswer } from './github-answer.js';
import { resolveGithubOwnerLocation } from './github-owner-location.js';
import { readGithubOwnerRepositories, type GithubOwnerKind } from './github-owner-repositories.js';
import {
  discoveryCacheKey,
  type DiscoverySource,
  type ListOwnerRepositoriesOptions,
  type OwnerRepositoryListing,
} from '../owner-repository-listing.js';

export interface GithubClientOptions {
  readonly log: Logger;
  readonly cache: HttpCache;
  readonly rateLimit: RateLimitConfig['github'];
  readonly retryAttempts: number;
  readonly retryBackoffMs: number;
  readonly userAgent: string;
  readonly now?: () => number;
  /** The HTTP transport under Octokit (default: undici keep-alive, see createGithubFetch). */
  readonly fetch?: FetchLike;
}

/**
 * The API a request goes to; `subject` names what it is for in messages (default: the
 * repository), e.g. `owner acme` for a discovery listing.
 */
type ApiTarget = Pick<GithubLocation, 'apiBaseUrl' | 'apiHost'> & { readonly subject?: string };

/** One API host and token: its Octokit, its quota view and its request budget. */
interface GithubAccount {
  readonly octokit: GithubOctokit;
  readonly gate: RequestGate;
}

type RefKind = 'branches' | 'tags';

/** GitHub listings never need more pages than this (100 refs each); more means a bad answer. */
const MAX_PAGES = 1000;
const PER_PAGE = 100;

/**
 * Lists branches and tags through the GitHub REST API: every page (per_page=100), each page a
 * conditional request with the ETag stored in the HttpCache, so an unchanged repository is all
 * 304s and costs no primary quota. One Octokit per (API host, token).
 */
export class GithubClient implements ProviderClient {
  private readonly accounts = new Map<string, GithubAccount>();
  /** Which list (organization or user) answered for each owner discovery has listed. */
  private readonly ownerKinds = new Map<string, GithubOwnerKind>();
  private readonly now: () => number;
  private readonly fetch: FetchLike;

  constructor(private readonly options: GithubClientOptions) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? createGithubFetch();
  }

  async listRefs(repo: RepositoryConfig, options: ProviderListOptions): Promise<RefListing> {
    const budget = options.budget ?? PollBudget.unbounded(options.signal);
    const meter = options.meter ?? new CostMeter();
    const location = resolveGithubLocation(repo);
    const account = this.accountFor(location, repo.token);
    const refs = new Map<string, string>();
    let unchanged = true;
    const kinds: RefKind[] = options.includeTags ? ['branches', 'tags'] : ['branches'];
    for (const kind of kinds) {
      const listed = await this.listKind(kind, repo, location, account, budget, meter);
      const toRef = kind === 'branches' ? branchRef : tagRef;
      for (const [name, sha] of listed.entries) refs.set(toRef(name), sha);
      unchanged &&= listed.unchanged;
    }
    return { refs, unchanged, via: 'api', cost: meter.snapshot() };
  }

  /**
   * The open pulls, every page by a conditional request with its ETag kept (an unchanged list is
   * all 304s and costs no quota), then one look at each pull of `knownOpen` that left the list, to
   * tell merged from closed (a pull that is gone counts as closed).
   */
  async listPullRequests(
    repo: RepositoryConfig,
    options: ListPullRequestsOptions,
  ): Promise<PullRequestListing> {
    const budget = options.budget ?? PollBudget.unbounded(options.signal);
    const meter = options.meter ?? new CostMeter();
    const location = resolveGithubLocation(repo);
    const account = this.accountFor(location, repo.token);
    const get = (sub: string, etag?: string): Promise<GithubAnswer> =>
      withRateLimitWaits(account.gate, budget, repo.name, () =>
        this.withRetries(budget, location, repo.name, () =>
          this.getJson(repoPath(location) + sub, location, account, budget, meter, repo.name, etag),
        ),
      );
    const endpoint = (page: number): string =>
      `/pulls?state=open&per_page=${PER_PAGE}&page=${page}`;
    const listed = await readConditionalPages<PullRequestFacts>({
      cache: this.options.cache,
      cacheKey: repo.name,
      perPage: PER_PAGE,
      maxPages: MAX_PAGES,
      endpoint: (page) => `${location.apiBaseUrl}${repoPath(location)}${endpoint(page)}`,
      fetch: (page, etag) => get(endpoint(page), etag),
      parse: (data) => parseEntries(data, parseGithubPull, 'pull'),
      encode: (etag, page) => encodePullPage(etag, { pulls: page.items, next: page.next }),
      decode: (entry) => {
        const cached = decodePullPage(entry);
        return cached && { etag: cached.etag, items: cached.pulls, next: cached.next };
      },
      bad: (what) => badResponse(location, repo.name, what),
    });
    const open = new Map(listed.items.map((pull) => [pull.number, pull]));
    const closed = new Map<number, PullRequestFacts>();
    for (const number of options.knownOpen) {
      if (open.has(number)) continue;
      const pull = await this.lookAtPull(get, location, repo.name, number);
      if (pull?.state === 'open') open.set(number, pull);
      else if (pull !== undefined) closed.set(number, pull);
    }
    return { open, closed, complete: true, via: 'api', cost: meter.snapshot() };
  }

  /** One pull by number; undefined when GitHub no longer has it (then it counts as closed). */
  private async lookAtPull(
    get: (sub: string) => Promise<GithubAnswer>,
    location: GithubLocation,
    repoName: string,
    number: number,
  ): Promise<PullRequestFacts | undefined> {
    let answer: GithubAnswer;
    try {
      answer = await get(`/pulls/${number}`);
    } catch (err) {
      if (errorCodeOf(err) === 'forge-not-found') return undefined;
      throw err;
    }
    const pull = answer.status === 200 ? parseGithubPull(answer.data) : undefined;
    if (pull === undefined) throw badResponse(location, repoName, `malformed pull ${number}`);
    return pull;
  }

  /**
   * What a push hook would carry beyond the shas (see readPushDetails): the repository by a
   * conditional request (its ETag kept like the listings'), the compare and the head commit.
   * Counted against the same quota and request budget as the polls; never throws.
   */
  pushDetails(
    repo: RepositoryConfig,
    change: PushChange,
    options: PushDetailsOptions,
  ): Promise<PushDetails> {
    const budget = PollBudget.start(options.signal, options.timeoutMs, this.now);
    const meter = new CostMeter();
    const location = resolveGithubLocation(repo);
    const account = this.accountFor(location, repo.token);
    const path = repoPath(location);
    const get = (sub: string, etag?: string): Promise<GithubAnswer> =>
      withRateLimitWaits(account.gate, budget, repo.name, () =>
        this.getJson(path + sub, location, account, budget, meter, repo.name, etag),
      );
    const parsed = <T>(
      answer: GithubAnswer,
      parse: (data: unknown) => T | undefined,
      what: string,
    ): T => {
      const value = answer.status === 200 ? parse(answer.data) : undefined;
      if (value === undefined) throw badResponse(location, repo.name, `malformed ${what}`);
      return value;
    };
    return readPushDetails(
      {
        repository: async () => {
          const endpoint = `${location.apiBaseUrl}${path}`;
          const cached = decodeRepository(await this.options.cache.get(repo.name, endpoint));
          const answer = await get('', cached?.etag);
          if (answer.status === 304 && cached) return cached.repository;
          const repository = parsed(answer, parseGithubRepository, 'repository');
          if (answer.status === 200 && answer.etag)
            await this.options.cache.set(
              repo.name,
              endpoint,
              encodeRepository(answer.etag, repository),
            );
          return repository;
        },
        commit: async (sha) =>
          parsed(await get(`/commits/${encodeURIComponent(sha)}`), parseGithubCommit, 'commit'),
        compare: async (before, after, perPage, page) => {
          const sub = `/compare/${encodeURIComponent(before)}...${encodeURIComponent(after)}?per_page=${perPage}&page=${page}`;
          const compare = parsed(await get(sub), parseGithubCompare, 'compare');
          return {
            forced: compare.status === 'behind' || compare.status === 'diverged',
            totalCommits: compare.totalCommits,
            webUrl: compare.htmlUrl,
            commits: compare.commits,
          };
        },
        cost: () => ({ requests: meter.requests, quotaUnits: meter.quotaUnits }),
      },
      change,
    ).finally(() => budget.dispose());
  }

  /**
   * Every repository of a GitHub organization or user (see readGithubOwnerRepositories), each
   * page a conditional request counted against the same quota and request budget as the polls.
   */
  async listOwnerRepositories(
    source: DiscoverySource,
    options: ListOwnerRepositoriesOptions,
  ): Promise<OwnerRepositoryListing> {
    const location = resolveGithubOwnerLocation(source);
    const budget = PollBudget.start(options.signal, options.timeoutMs, this.now);
    const meter = new CostMeter();
    const account = this.accountFor(location, source.token);
    const cacheKey = discoveryCacheKey(source);
    try {
      const listed = await readGithubOwnerRepositories({
        location,
        cache: this.options.cache,
        cacheKey,
        kinds: this.ownerKinds,
        get: (path, etag) =>
          withRateLimitWaits(account.gate, budget, cacheKey, () =>
            this.withRetries(budget, location, cacheKey, () =>
              this.getJson(path, location, account, budget, meter, cacheKey, etag),
            ),
          ),
      });
      return { ...listed, cost: meter.snapshot() };
    } finally {
      budget.dispose();
    }
  }

  rateLimits(): RateLimitSnapshot[] {
    return [...this.accounts.values()].flatMap((a) => a.gate.quota.snapshot() ?? []);
  }

  private async listKind(
    kind: RefKind,
    repo: RepositoryConfig,
    location: GithubLocation,
    account: GithubAccount,
    budget: PollBudget,
    meter: CostMeter,
  ): Promise<{ entries: [string, string][]; unchanged: boolean }> {
    // Pages are addressed by number on our own endpoint (not by following Link URLs, which name
    // /repositories/<id>), so each page keeps a stable cache key and its own ETag.
    const read = await readConditionalPages<[string, string]>({
      cache: this.options.cache,
      cacheKey: repo.name,
      perPage: PER_PAGE,
      maxPages: MAX_PAGES,
      endpoint: (page) =>
        `${location.apiBaseUrl}/repos/${location.owner}/${location.repo}/${kind}?per_page=${PER_PAGE}&page=${page}`,
      fetch: (page, etag) =>
        withRateLimitWaits(account.gate, budget, repo.name, () =>
          this.withRetries(budget, location, repo.name, () =>
            this.requestPage(kind, page, location, account, budget, meter, repo.name, etag),
          ),
        ),
      parse: (data) => parseRefPage(data) ?? `malformed ${kind} page`,
      encode: (etag, page) => encodePage(etag, { refs: page.items, next: page.next }),
      decode: (entry) => {
        const cached = decodePage(entry);
        return cached && { etag: cached.etag, items: cached.page.refs, next: cached.page.next };
      },
      bad: (what) => badResponse(location, repo.name, what),
    });
    return { entries: read.items, unchanged: read.unchanged };
  }

  /**
   * Retries a failed request (network error, 5xx) `polling.retry_attempts` times with exponential
   * backoff from `polling.retry_backoff` while the poll has time left. The waits follow the
   * poll's signal: a stop or the poll timeout ends them at once (Octokit's retry plugin waits on
   * timers that ignore it, which held a stopped daemon for up to 14 s).
   */
  private async withRetries<T>(
    budget: PollBudget,
    location: ApiTarget,
    repoName: string,
    request: () => Promise<T>,
  ): Promise<T> {
    const { retryAttempts, retryBackoffMs } = this.options;
    if (retryAttempts === 0) return request();
    try {
      return await pRetry(request, {
        retries: retryAttempts,
        minTimeout: retryBackoffMs,
        factor: 2,
        signal: budget.signal,
        shouldRetry: ({ error }) =>
          error instanceof ReposentryError &&
          error.retryable &&
          !(error instanceof RateLimitError) &&
          budget.remainingMs() > retryBackoffMs,
      });
    } catch (err) {
      if (budget.signal.aborted && !(err instanceof ReposentryError)) {
        throw budget.abortError(
          `GitHub API ${location.apiHost} for ${location.subject ?? `repository ${repoName}`}`,
          'forge-unavailable',
        );
      }
      throw err;
    }
  }

  private requestPage(
    kind: RefKind,
    page: number,
    location: GithubLocation,
    account: GithubAccount,
    budget: PollBudget,
    meter: CostMeter,
    repoName: string,
    etag: string | undefined,
  ): Promise<GithubAnswer> {
    const path = `${repoPath(location)}/${kind}?per_page=${PER_PAGE}&page=${page}`;
    return this.getJson(path, location, account, budget, meter, repoName, etag);
  }

  /** One GET below the API root; a 304 (with `etag` sent) answers `{ status: 304 }`. */
  private async getJson(
    path: string,
    location: ApiTarget,
    account: GithubAccount,
    budget: PollBudget,
    meter: CostMeter,
    repoName: string,
    etag?: string,
  ): Promise<GithubAnswer> {
    const ticket = await account.gate.acquire(budget, repoName);
    const what = `GitHub API ${location.apiHost} for ${location.subject ?? `repository ${repoName}`}`;
    try {
      const request: Promise<{ data: unknown; headers: { link?: string; etag?: string } }> =
        account.octokit.request(`GET ${path}`, {
          headers: etag === undefined ? {} : { 'if-none-match': etag },
          request: { signal: budget.signal, fetch: this.meteredFetch(account, meter, ticket) },
        });
      const response = await budget.race(request, what, 'forge-unavailable');
      return {
        status: 200,
        data: response.data,
        ...(response.headers.link ? { link: response.headers.link } : {}),
        ...(response.headers.etag ? { etag: response.headers.etag } : {}),
      };
    } catch (err) {
      if ((err as { status?: unknown } | null)?.status === 304) return { status: 304 };
      if (budget.signal.aborted) throw budget.abortError(what, 'forge-unavailable');
      throw mapGithubError(err, {
        repo: repoName,
        apiHost: location.apiHost,
        now: this.now(),
        ...(location.subject === undefined ? {} : { subject: location.subject }),
      });
    }
  }

  /**
   * The fetch Octokit uses for one request: where its cost is counted, quota headers read and a
   * 304 refunded.
   */
  private meteredFetch(account: GithubAccount, meter: CostMeter, ticket: GateTicket): FetchLike {
    return async (input, init) => {
      meter.requests += 1;
      const response = await this.fetch(input, init);
      const quota = readGithubQuota(response.headers);
      if (quota) account.gate.quota.update(quota);
      if (response.status === 304) {
        meter.notModified += 1;
        ticket.free();
      } else if (!isRateLimitRejection(response)) {
        meter.quotaUnits += 1;
      }
      return response;
    };
  }

  private accountFor(location: ApiTarget, token: string | undefined): GithubAccount {
    const key = `${location.apiBaseUrl}\n${token ?? ''}`;
    const existing = this.accounts.get(key);
    if (existing) return existing;
    const account = credentialId(token);
    const { rateLimit, log } = this.options;
    const buckets: GateBucket[] = [];
    if (rateLimit.requestsPerMinute > 0) {
      buckets.push({
        bucket: new TokenBucket({
          capacity: rateLimit.burst,
          refillPerSecond: rateLimit.requestsPerMinute / 60,
          now: this.now,
        }),
        label: 'rate_limit.github.requests_per_minute',
        refundWhenFree: false,
      });
    }
    if (rateLimit.requestsPerHour > 0) {
      buckets.push({
        // The hour's budget may be spent as polls need it (a 50-page listing must not crawl at
        // one request per second); it refills at the hourly rate. Bursts are shaped by the
        // per-minute bucket above.
        bucket: new TokenBucket({
          capacity: rateLimit.requestsPerHour,
          refillPerSecond: rateLimit.requestsPerHour / 3600,
          now: this.now,
        }),
        label: 'rate_limit.github.requests_per_hour',
        refundWhenFree: true,
      });
    }
    const quota = new QuotaTracker('github', location.apiHost, account, this.now);
    const created: GithubAccount = {
      octokit: createOctokit({
        baseUrl: location.apiBaseUrl,
        ...(token ? { token } : {}),
        userAgent: this.options.userAgent,
        log,
      }),
      gate: new RequestGate(quota, buckets, log, this.now),
    };
    this.accounts.set(key, created);
    return created;
  }
}

function repoPath(location: GithubLocation): string {
  return `/repos/${encodeURIComponent(location.owner)}/${encodeURIComponent(location.repo)}`;
}

function badResponse(location: GithubLocation, repo: string, what: string): ReposentryError {
  return new ReposentryError(
    'forge-bad-response',
    `GitHub API ${location.apiHost} for repository ${repo}: ${what}`,
  );
}
