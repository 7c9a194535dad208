import {
  Branches,
  Commits,
  MergeRequests,
  Projects,
  Repositories,
  Tags,
  type AllMergeRequestsOptions,
} from '@gitbeaker/rest';
import type { PullRequestFacts } from '../../events/change-event.js';
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
import type { ListPullRequestsOptions, PullRequestListing } from '../pull-request-listing.js';
import { QuotaTracker } from '../quota-tracker.js';
import { RequestGate, withRateLimitWaits } from '../request-gate.js';
import { TokenBucket } from '../token-bucket.js';
import { resolveGitlabLocation, type GitlabLocation } from './gitlab-location.js';
import {
  parseGitlabMergeRequest,
  pullRequestFactsOf,
  type GitlabMergeRequest,
} from './gitlab-merge-request-shapes.js';
import { readGitlabPage } from './gitlab-page.js';
import { createGitlabRequester, type GitlabRequesterFn } from './gitlab-requester.js';
import { GitlabSourceProjects } from './gitlab-source-projects.js';
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
/** GitLab takes `state=all` (its default, said out loud); gitbeaker's option type leaves it out. */
const EVERY_STATE = 'all' as unknown as NonNullable<AllMergeRequestsOptions['state']>;

/** One listing of a project (refs or merge requests): where, through which gate, time and meter. */
interface Listing {
  readonly repoName: string;
  readonly location: GitlabLocation;
  readonly gate: RequestGate;
  readonly budget: PollBudget;
  readonly meter: CostMeter;
  readonly resource: ResourceOptions;
}

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
  /** The projects merge requests come from (forks), kept for PROJECT_TTL_MS. */
  private readonly sourceProjects: GitlabSourceProjects;
  private readonly now: () => number;

  constructor(private readonly options: GitlabClientOptions) {
    this.now = options.now ?? Date.now;
    this.sourceProjects = new GitlabSourceProjects(options.log, PROJECT_TTL_MS, this.now);
  }

  async listRefs(repo: RepositoryConfig, options: ProviderListOptions): Promise<RefListing> {
    return this.withProject(repo, options, async (listing, projectId) => {
      const { resource, meter } = listing;
      const refs = new Map<string, string>();
      const branches = new Branches(resource);
      await this.eachPage(
        listing,
        'ref page',
        (page) => branches.all(projectId, { perPage: PER_PAGE, page, showExpanded: true }),
        readGitlabRef,
        ([name, sha]) => {
          refs.set(branchRef(name), sha);
        },
      );
      if (options.includeTags) {
        const tags = new Tags(resource);
        await this.eachPage(
          listing,
          'ref page',
          (page) => tags.all(projectId, { perPage: PER_PAGE, page, showExpanded: true }),
          readGitlabRef,
          ([name, sha]) => {
            refs.set(tagRef(name), sha);
          },
        );
      }
      return { refs, unchanged: false, via: 'api', cost: meter.snapshot() };
    });
  }

  /**
   * The project's merge requests: every open one on a first look (`state=opened`), else only
   * those updated since `options.since` (`updated_after`, every state), so a quiet project costs
   * one request. GitLab's changes tell each request's state, so `knownOpen` is not needed. A
   * fork's path and clone URL come from one look at its project (kept for PROJECT_TTL_MS); a fork
   * that cannot be read leaves them out rather than failing the listing.
   */
  async listPullRequests(
    repo: RepositoryConfig,
    options: ListPullRequestsOptions,
  ): Promise<PullRequestListing> {
    return this.withProject(repo, options, async (listing, projectId) => {
      const { resource, gate, budget, meter } = listing;
      const filter: Pick<AllMergeRequestsOptions, 'state' | 'updatedAfter'> =
        options.since === undefined
          ? { state: 'opened' as const }
          : { updatedAfter: new Date(options.since).toISOString(), state: EVERY_STATE };
      const found: GitlabMergeRequest[] = [];
      const requests = new MergeRequests(resource);
      await this.eachPage(
        listing,
        'merge request page',
        (page) =>
          requests.all({ projectId, ...filter, perPage: PER_PAGE, page, showExpanded: true }),
        parseGitlabMergeRequest,
        (mr) => {
          found.push(mr);
        },
      );
      const sourceOf = this.sourceProjects.forListing({
        ...listing,
        fetchProject: (id) =>
          withRateLimitWaits(gate, budget, repo.name, () => new Projects(resource).show(id)),
      });
      const open = new Map<number, PullRequestFacts>();
      const closed = new Map<number, PullRequestFacts>();
      for (const mr of found) {
        const facts = pullRequestFactsOf(mr, await sourceOf(mr));
        if (facts === undefined) continue;
        // A request changed while the pages were read can be listed twice: the last one counts.
        (facts.state === 'open' ? closed : open).delete(facts.number);
        (facts.state === 'open' ? open : closed).set(facts.number, facts);
      }
      const complete = options.since === undefined;
      if (complete) {
        // A first look, or one after a poll that fell back to refs: a known request missing from
        // the open list closed or merged meanwhile; one look at it tells which.
        for (const iid of options.knownOpen) {
          if (open.has(iid)) continue;
          const mr = await this.lookAtMergeRequest(listing, iid, () =>
            requests.show(projectId, iid),
          );
          const facts = mr && pullRequestFactsOf(mr, await sourceOf(mr));
          if (facts !== undefined) (facts.state === 'open' ? open : closed).set(iid, facts);
        }
      }
      return { open, closed, complete, via: 'api', cost: meter.snapshot() };
    });
  }

  /** One merge request by iid; undefined when GitLab no longer has it (it counts as closed). */
  private async lookAtMergeRequest(
    listing: Listing,
    iid: number,
    request: () => Promise<unknown>,
  ): Promise<GitlabMergeRequest | undefined> {
    let answer: unknown;
    try {
      answer = await withRateLimitWaits(listing.gate, listing.budget, listing.repoName, request);
    } catch (err) {
      const context = {
        repo: listing.repoName,
        apiHost: listing.location.apiHost,
        now: this.now(),
      };
      const mapped = mapGitlabError(err, context);
      if (mapped.code === 'forge-not-found') return undefined;
      throw mapped;
    }
    const mr = parseGitlabMergeRequest(answer);
    if (mr === undefined) {
      throw badResponse(listing.location, listing.repoName, `malformed merge request ${iid}`);
    }
    return mr;
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

  /**
   * Runs one listing of the repository's project: its id looked up once and cached, every failure
   * a ReposentryError (running out of time is forge-unavailable), and a project GitLab no longer
   * finds (moved, deleted) looked up again next time.
   */
  private async withProject<T>(
    repo: RepositoryConfig,
    options: { signal: AbortSignal; budget?: PollBudget; meter?: CostMeter },
    list: (listing: Listing, projectId: number) => Promise<T>,
  ): Promise<T> {
    const budget = options.budget ?? PollBudget.unbounded(options.signal);
    const meter = options.meter ?? new CostMeter();
    const location = resolveGitlabLocation(repo);
    const gate = this.gateFor(location, repo.token);
    const resource = this.resourceFor(repo, location, gate, budget, meter);
    const listing: Listing = { repoName: repo.name, location, gate, budget, meter, resource };
    const projectKey = `${location.apiBaseUrl}\n${location.projectPath}`;
    try {
      let projectId = this.projectIds.get(projectKey);
      if (projectId === undefined) {
        const project: unknown = await withRateLimitWaits(gate, budget, repo.name, () =>
          new Projects(resource).show(location.projectPath),
        );
        const id = (project as { id?: unknown } | null)?.id;
        if (typeof id !== 'number') throw badResponse(location, repo.name, 'project without an id');
        this.projectIds.set(projectKey, id);
        projectId = id;
      }
      return await list(listing, projectId);
    } catch (err) {
      const what = `GitLab API ${location.apiHost} for repository ${repo.name}`;
      if (budget.signal.aborted) throw budget.abortError(what, 'forge-unavailable');
      const context = { repo: repo.name, apiHost: location.apiHost, now: this.now() };
      const mapped = mapGitlabError(err, context);
      if (mapped.code === 'forge-not-found') this.projectIds.delete(projectKey);
      throw mapped;
    }
  }

  /** Reads every page of a list, following X-Next-Page, and hands each entry to `take`. */
  private async eachPage<T>(
    listing: Listing,
    what: string,
    fetchPage: (page: number) => Promise<unknown>,
    readItem: (item: unknown) => T | undefined,
    take: (item: T) => void,
  ): Promise<void> {
    const { gate, budget, repoName, location } = listing;
    let page = 1;
    for (let count = 0; count < MAX_PAGES; count += 1) {
      const answer = await withRateLimitWaits(gate, budget, repoName, () => fetchPage(page));
      const parsed = readGitlabPage(answer, readItem);
      if (parsed === undefined) throw badResponse(location, repoName, `malformed ${what}`);
      for (const item of parsed.items) take(item);
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

/** A branch or tag entry `{name, commit: {id}}` (a tag's `commit.id` is the peeled commit). */
function readGitlabRef(item: unknown): [string, string] | undefined {
  const { name, commit } = (item ?? {}) as { name?: unknown; commit?: { id?: unknown } };
  if (typeof name !== 'string' || typeof commit?.id !== 'string') return undefined;
  return [name, commit.id];
}

function badResponse(location: GitlabLocation, repo: string, what: string): ReposentryError {
  return new ReposentryError(
    'forge-bad-response',
    `GitLab API ${location.apiHost} for repository ${repo}: ${what}`,
  );
}
