import { Branches, Commits, Projects, Repositories, Tags } from '@gitbeaker/rest';
import type { PushChange, PushDetails, RepositoryDetails } from '../../events/push-details.js';
import { readPushDetails } from '../push-details-reader.js';
import {
  parseGitlabCommit,
  parseGitlabCompare,
  parseGitlabProject,
} from './gitlab-commit-shapes.js';
import type { RateLimitConfig, RepositoryConfig } from '../../config/config-types.js';
import { ReposentryError } from '../../errors/reposentry-error.js';
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
import { PollBudget } from '../poll-budget.js';
import type { ProviderClient, ProviderListOptions } from '../provider-client.js';
import { QuotaTracker } from '../quota-tracker.js';
import { RequestGate, withRateLimitWaits } from '../request-gate.js';
import { TokenBucket } from '../token-bucket.js';
import { resolveGitlabLocation, type GitlabLocation } from './gitlab-location.js';
import { createGitlabRequester, type GitlabRequesterFn } from './gitlab-requester.js';
import { mapGitlabError } from './map-gitlab-error.js';
import type {
  DiscoverySource,
  ListOwnerRepositoriesOptions,
  OwnerRepositoryListing,
} from '../owner-repository-listing.js';
import { resolveGitlabGroupLocation } from './gitlab-group-location.js';
import { readGitlabGroupProjects } from './gitlab-group-projects.js';

export interface GitlabClientOptions {
  readonly log: Logger;
  readonly rateLimit: RateLimitConfig['gitlab'];
  readonly retryAttempts: number;
  readonly retryBackoffMs: number;
  readonly userAgent: string;
  readonly now?: () => number;
}

const PER_PAGE = 100;
/** How long a project's id, visibility and default branch are kept for push details. */
const PROJECT_TTL_MS = 10 * 60_000;
const MAX_PAGES = 1000;

interface ResourceOptions {
  readonly host: string;
  readonly requesterFn: GitlabRequesterFn;
  readonly queryTimeout: null;
  readonly token?: string;
}

/**
 * Lists branches and tags through the GitLab REST API (gitbeaker resources over our own
 * requester): project id looked up once per project and cached in this instance, every page
 * followed through `X-Next-Page`, `RateLimit-*` headers obeyed.
 */
export class GitlabClient implements ProviderClient {
  private readonly gates = new Map<string, RequestGate>();
  private readonly projectIds = new Map<string, number>();
  /** What push details say of each project, and when it was read. */
  private readonly projects = new Map<string, { details: RepositoryDetails; readAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: GitlabClientOptions) {
    this.now = options.now ?? Date.now;
  }

  async listRefs(repo: RepositoryConfig, options: ProviderListOptions): Promise<RefListing> {
    const budget = options.budget ?? PollBudget.unbounded(options.signal);
    const meter = options.meter ?? new CostMeter();
    const location = resolveGitlabLocation(repo);
    const gate = this.gateFor(location, repo.token);
    const context = { repo: repo.name, apiHost: location.apiHost };
    const resource = this.resourceFor(repo, location, gate, budget, meter);
    const projectKey = `${location.apiBaseUrl}\n${location.projectPath}`;
    try {
      const projectId = await this.projectId(
        projectKey,
        location,
        resource,
        gate,
        budget,
        repo.name,
      );
      const refs = new Map<string, string>();
      const branches = new Branches(resource);
      await this.eachPage(gate, budget, repo.name, location, refs, branchRef, (page) =>
        branches.all(projectId, { perPage: PER_PAGE, page, showExpanded: true }),
      );
      if (options.includeTags) {
        const tags = new Tags(resource);
        await this.eachPage(gate, budget, repo.name, location, refs, tagRef, (page) =>
          tags.all(projectId, { perPage: PER_PAGE, page, showExpanded: true }),
        );
      }
      return { refs, unchanged: false, via: 'api', cost: meter.snapshot() };
    } catch (err) {
      const what = `GitLab API ${location.apiHost} for repository ${repo.name}`;
      if (budget.signal.aborted) throw budget.abortError(what, 'forge-unavailable');
      const mapped = mapGitlabError(err, { ...context, now: this.now() });
      // A moved or deleted project: look the id up again next time.
      if (mapped.code === 'forge-not-found') this.projectIds.delete(projectKey);
      throw mapped;
    }
  }

  /**
   * What a push hook would carry beyond the shas (see readPushDetails): the project (kept for
   * PROJECT_TTL_MS), the compare of before...after and the head commit. GitLab's compare does
   * not tell a force push, so `forced` stays unknown. Counted against the same rate limit as the
   * polls; never throws.
   */
  async pushDetails(
    repo: RepositoryConfig,
    change: PushChange,
    options: PushDetailsOptions,
  ): Promise<PushDetails> {
    const budget = PollBudget.start(options.signal, options.timeoutMs, this.now);
    const meter = new CostMeter();
    const location = resolveGitlabLocation(repo);
    const gate = this.gateFor(location, repo.token);
    const resource = this.resourceFor(repo, location, gate, budget, meter);
    const projectKey = `${location.apiBaseUrl}\n${location.projectPath}`;
    const call = async <T>(
      request: () => Promise<unknown>,
      parse: (data: unknown) => T | undefined,
      what: string,
    ): Promise<T> => {
      let answer: unknown;
      try {
        answer = await withRateLimitWaits(gate, budget, repo.name, request);
      } catch (err) {
        const where = `GitLab API ${location.apiHost} for repository ${repo.name}`;
        if (budget.signal.aborted) throw budget.abortError(where, 'forge-unavailable');
        throw mapGitlabError(err, { repo: repo.name, apiHost: location.apiHost, now: this.now() });
      }
      const parsed = parse(answer);
      if (parsed === undefined) throw badResponse(location, repo.name, `malformed ${what}`);
      return parsed;
    };
    const project = async (): Promise<RepositoryDetails> => {
      const known = this.projects.get(projectKey);
      if (known && this.now() - known.readAt < PROJECT_TTL_MS) return known.details;
      const details = await call(
        () => new Projects(resource).show(location.projectPath),
        parseGitlabProject,
        'project',
      );
      this.projects.set(projectKey, { details, readAt: this.now() });
      this.projectIds.set(projectKey, details.id);
      return details;
    };
    try {
      return await readPushDetails(
        {
          repository: project,
          commit: async (sha) => {
            const { id } = await project();
            return call(() => new Commits(resource).show(id, sha), parseGitlabCommit, 'commit');
          },
          compare: async (before, after) => {
            const { id } = await project();
            const compare = await call(
              () => new Repositories(resource).compare(id, before, after),
              parseGitlabCompare,
              'compare',
            );
            return {
              totalCommits: compare.commits.length,
              commits: compare.commits,
              ...(compare.webUrl ? { webUrl: compare.webUrl } : {}),
            };
          },
          cost: () => ({ requests: meter.requests, quotaUnits: meter.quotaUnits }),
        },
        change,
      );
    } finally {
      budget.dispose();
    }
  }

  /**
   * Every project of a GitLab group and its subgroups (see readGitlabGroupProjects), counted
   * against the same rate limit as the polls. Never `unchanged`: GitLab has no conditional
   * requests for this list.
   */
  async listOwnerRepositories(
    source: DiscoverySource,
    options: ListOwnerRepositoriesOptions,
  ): Promise<OwnerRepositoryListing> {
    const location = resolveGitlabGroupLocation(source);
    const budget = PollBudget.start(options.signal, options.timeoutMs, this.now);
    const meter = new CostMeter();
    const gate = this.gateFor(location, source.token);
    const label = location.groupPath;
    const resource = this.resourceFor(
      { name: label, subject: location.subject, ...(source.token ? { token: source.token } : {}) },
      location,
      gate,
      budget,
      meter,
    );
    try {
      const repositories = await readGitlabGroupProjects({
        location,
        resource,
        withWaits: (request) => withRateLimitWaits(gate, budget, label, request),
      });
      return { repositories, unchanged: false, cost: meter.snapshot() };
    } catch (err) {
      const what = `GitLab API ${location.apiHost} for ${location.subject}`;
      if (budget.signal.aborted) throw budget.abortError(what, 'forge-unavailable');
      const context = { repo: label, apiHost: location.apiHost, subject: location.subject };
      throw mapGitlabError(err, { ...context, now: this.now() });
    } finally {
      budget.dispose();
    }
  }

  rateLimits(): RateLimitSnapshot[] {
    return [...this.gates.values()].flatMap((gate) => gate.quota.snapshot() ?? []);
  }

  private resourceFor(
    repo: Pick<RepositoryConfig, 'name' | 'token'> & { readonly subject?: string },
    location: Pick<GitlabLocation, 'instanceUrl' | 'apiHost'>,
    gate: RequestGate,
    budget: PollBudget,
    meter: CostMeter,
  ): ResourceOptions {
    return {
      host: location.instanceUrl,
      queryTimeout: null,
      ...(repo.token ? { token: repo.token } : {}),
      requesterFn: createGitlabRequester({
        repo: repo.name,
        apiHost: location.apiHost,
        ...(repo.subject === undefined ? {} : { subject: repo.subject }),
        gate,
        budget,
        meter,
        retries: this.options.retryAttempts,
        retryBackoffMs: this.options.retryBackoffMs,
        userAgent: this.options.userAgent,
      }),
    };
  }

  private async projectId(
    key: string,
    location: GitlabLocation,
    resource: ResourceOptions,
    gate: RequestGate,
    budget: PollBudget,
    repoName: string,
  ): Promise<number> {
    const cached = this.projectIds.get(key);
    if (cached !== undefined) return cached;
    const project: unknown = await withRateLimitWaits(gate, budget, repoName, () =>
      new Projects(resource).show(location.projectPath),
    );
    const id = (project as { id?: unknown } | null)?.id;
    if (typeof id !== 'number') throw badResponse(location, repoName, 'project without an id');
    this.projectIds.set(key, id);
    return id;
  }

  private async eachPage(
    gate: RequestGate,
    budget: PollBudget,
    repoName: string,
    location: GitlabLocation,
    refs: Map<string, string>,
    toRef: (name: string) => string,
    fetchPage: (page: number) => Promise<unknown>,
  ): Promise<void> {
    let page = 1;
    for (let count = 0; count < MAX_PAGES; count += 1) {
      const answer = await withRateLimitWaits(gate, budget, repoName, () => fetchPage(page));
      const parsed = parseGitlabPage(answer);
      if (parsed === undefined) throw badResponse(location, repoName, 'malformed ref page');
      for (const [name, sha] of parsed.refs) refs.set(toRef(name), sha);
      if (parsed.next === null || parsed.next <= page) return;
      page = parsed.next;
    }
    throw badResponse(location, repoName, `more than ${MAX_PAGES} pages`);
  }

  private gateFor(
    location: Pick<GitlabLocation, 'apiBaseUrl' | 'apiHost'>,
    token: string | undefined,
  ): RequestGate {
    const key = `${location.apiBaseUrl}\n${token ?? ''}`;
    const existing = this.gates.get(key);
    if (existing) return existing;
    const { rateLimit, log } = this.options;
    const quota = new QuotaTracker('gitlab', location.apiHost, credentialId(token), this.now);
    const buckets =
      rateLimit.requestsPerSecond > 0
        ? [
            {
              bucket: new TokenBucket({
                capacity: rateLimit.burst,
                refillPerSecond: rateLimit.requestsPerSecond,
                now: this.now,
              }),
              label: 'rate_limit.gitlab.requests_per_second',
              refundWhenFree: false,
            },
          ]
        : [];
    const gate = new RequestGate(quota, buckets, log, this.now);
    this.gates.set(key, gate);
    return gate;
  }
}

/**
 * Reads gitbeaker's expanded answer `{data: [{name, commit: {id}}], paginationInfo: {next}}`
 * (branches and tags alike; a tag's `commit.id` is the peeled commit).
 */
function parseGitlabPage(
  answer: unknown,
): { refs: [string, string][]; next: number | null } | undefined {
  const { data, paginationInfo } = (answer ?? {}) as {
    data?: unknown;
    paginationInfo?: { next?: unknown };
  };
  if (!Array.isArray(data)) return undefined;
  const refs: [string, string][] = [];
  for (const item of data as unknown[]) {
    const { name, commit } = (item ?? {}) as { name?: unknown; commit?: { id?: unknown } };
    if (typeof name !== 'string' || typeof commit?.id !== 'string') return undefined;
    refs.push([name, commit.id]);
  }
  const next = paginationInfo?.next;
  return { refs, next: typeof next === 'number' && Number.isFinite(next) ? next : null };
}

function badResponse(location: GitlabLocation, repo: string, what: string): ReposentryError {
  return new ReposentryError(
    'forge-bad-response',
    `GitLab API ${location.apiHost} for repository ${repo}: ${what}`,
  );
}
