import type { Config, RepositoryConfig } from '../config/config-types.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import {
  quotaAccountKey,
  quotaAccountOf,
  type QuotaAccount,
  type RateLimitSnapshot,
} from '../gitclient/index.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import { currentInterval } from './adaptive-interval.js';
import type { PollReport } from './poll-report.js';
import {
  planQuota,
  type AccountBudget,
  type AccountForecast,
  type GovernedRepository,
  type QuotaPlan,
} from './quota-plan.js';

/** How often the plan is made again (costs, quotas and the repositories held move). */
export const REPLAN_MS = 5_000;
/** Weight of the newest poll in a repository's cost per poll. */
const COST_WEIGHT = 0.3;
/** The live quota is spread over at least this long, so a reset a moment away is no windfall. */
const MIN_RESET_SPREAD_MS = 60_000;

export interface RepositoryActivity {
  readonly repo: RepositoryConfig;
  readonly activeAt?: number;
}

export interface QuotaGovernorOptions {
  readonly config: () => Config;
  /** The repositories this process polls, with their last activity. */
  readonly polled: () => readonly RepositoryActivity[];
  /** What the hosts last said about each account's quota. */
  readonly rateLimits: () => readonly RateLimitSnapshot[];
  /** A new plan: the factor (> 1) each stretched repository's interval is multiplied by. */
  readonly onPlan: (stretch: ReadonlyMap<string, number>) => void;
  readonly log: Logger;
  readonly periodMs?: number;
  readonly now?: () => number;
}

/** An account's forecast, with the account spelled out. */
export interface QuotaForecast extends QuotaAccount, Omit<AccountForecast, 'account'> {}

/**
 * Keeps the polls of each API account (host and token) within its budgets before a host has to
 * refuse them: from each repository's interval and measured cost per poll it forecasts the
 * requests of the coming minute (304s included, what GitHub's secondary limit counts) and hour
 * (quota spent), against rate_limit.* and the host's live quota, and stretches intervals, most
 * idle first (see planQuota). With replicas each takes the share of a budget that its share of
 * the account's repositories is.
 */
export class QuotaGovernor implements Component {
  readonly name = 'quota-governor';
  private readonly costs = new Map<string, { requests: number; quotaUnits: number }>();
  private plan: QuotaPlan = { stretch: new Map(), accounts: [] };
  /** The factors last handed to the scheduler. */
  private sent: ReadonlyMap<string, number> = new Map();
  /** Each repository config's account (configs are replaced, never changed, by a reload). */
  private readonly accountOf = new WeakMap<RepositoryConfig, QuotaAccount | null>();
  private accounts = new Map<string, QuotaAccount>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly now: () => number;

  constructor(private readonly options: QuotaGovernorOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): Promise<void> {
    this.running = true;
    this.tick();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    return Promise.resolve();
  }

  health(): ComponentHealth {
    const stretched = this.plan.stretch.size;
    return {
      status: this.running ? 'healthy' : 'stopped',
      ...(stretched > 0
        ? { message: `${stretched} repositories polled less often to stay within API limits` }
        : {}),
      details: { stretched, accounts: this.plan.accounts.length },
    };
  }

  /** A poll's measured cost refines its repository's cost per poll. */
  observe(report: PollReport): void {
    if (!report.ok || report.cost === undefined) return;
    const previous = this.costs.get(report.repository);
    const requests = report.cost.requests;
    const quotaUnits = report.cost.quotaUnits;
    this.costs.set(
      report.repository,
      previous === undefined
        ? { requests, quotaUnits }
        : {
            requests: previous.requests + COST_WEIGHT * (requests - previous.requests),
            quotaUnits: previous.quotaUnits + COST_WEIGHT * (quotaUnits - previous.quotaUnits),
          },
    );
  }

  /** The factor a repository's interval is stretched by now (1: none). */
  stretchOf(name: string): number {
    return this.plan.stretch.get(name) ?? 1;
  }

  /** Each account's forecast as last planned. */
  forecasts(): QuotaForecast[] {
    return this.plan.accounts.flatMap(({ account, ...rest }) => {
      const known = this.accounts.get(account);
      return known === undefined ? [] : [{ ...known, ...rest }];
    });
  }

  /** Plans again now (the timer does it every REPLAN_MS). */
  replan(): void {
    const config = this.options.config();
    const now = this.now();
    const accounts = new Map<string, QuotaAccount>();
    const configured = new Map<string, number>();
    for (const repo of config.repositories) {
      const account = repo.enabled ? this.account(repo) : undefined;
      if (account === undefined) continue;
      const key = quotaAccountKey(account);
      accounts.set(key, account);
      configured.set(key, (configured.get(key) ?? 0) + 1);
    }
    const governed: GovernedRepository[] = [];
    const held = new Map<string, number>();
    for (const { repo, activeAt } of this.options.polled()) {
      const account = this.account(repo);
      if (account === undefined) continue;
      const key = quotaAccountKey(account);
      accounts.set(key, account);
      held.set(key, (held.get(key) ?? 0) + 1);
      const cost = this.costs.get(repo.name) ?? firstPollCost(repo);
      governed.push({
        name: repo.name,
        account: key,
        intervalMs: currentInterval(repo, config.polling, activeAt, now).intervalMs,
        ...(activeAt === undefined ? {} : { activeAt }),
        requestsPerPoll: cost.requests,
        quotaUnitsPerPoll: cost.quotaUnits,
      });
    }
    const snapshots = new Map(this.options.rateLimits().map((s) => [quotaAccountKey(s), s]));
    const budgets = new Map<string, AccountBudget>();
    for (const [key, account] of accounts) {
      const share = Math.min(1, (held.get(key) ?? 0) / Math.max(1, configured.get(key) ?? 0));
      budgets.set(key, budgetOf(account, config, snapshots.get(key), share, now));
    }
    const before = this.plan;
    this.plan = planQuota(governed, budgets, now);
    this.accounts = accounts;
    this.report(before, this.plan);
    // Compared with what the scheduler was last given, so that slow drifts reach it too.
    if (!sameStretch(this.sent, this.plan.stretch)) {
      this.sent = this.plan.stretch;
      this.options.onPlan(this.plan.stretch);
    }
  }

  private account(repo: RepositoryConfig): QuotaAccount | undefined {
    let account = this.accountOf.get(repo);
    if (account === undefined) {
      account = quotaAccountOf(repo) ?? null;
      this.accountOf.set(repo, account);
    }
    return account ?? undefined;
  }

  private tick(): void {
    if (!this.running) return;
    try {
      this.replan();
    } catch (err) {
      this.options.log.warn('Quota plan failed', {
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    }
    this.timer = setTimeout(() => this.tick(), this.options.periodMs ?? REPLAN_MS);
    this.timer.unref();
  }

  /** Logs when an account starts or stops being stretched. */
  private report(before: QuotaPlan, after: QuotaPlan): void {
    const was = new Map(before.accounts.map((a) => [a.account, a.stretched]));
    for (const forecast of after.accounts) {
      const earlier = was.get(forecast.account) ?? 0;
      if (earlier === 0 && forecast.stretched > 0) {
        this.options.log.warn('Polls stretched to stay within the API limits', {
          account: forecast.account,
          stretched: forecast.stretched,
          largestStretch: forecast.largestStretch,
          minuteDemand: forecast.minute.demand,
          minuteBudget: forecast.minute.budget,
          hourDemand: forecast.hour.demand,
          hourBudget: forecast.hour.budget,
        });
      } else if (earlier > 0 && forecast.stretched === 0) {
        this.options.log.info('Polls back at their intervals: the API limits allow them', {
          account: forecast.account,
        });
      }
    }
  }
}

/**
 * What one account may spend: the configured rate_limit budgets, the host's own limit, and what
 * is left of the live quota spread until its reset; times `share` (replicas split an account).
 */
export function budgetOf(
  account: QuotaAccount,
  config: Pick<Config, 'rateLimit'>,
  snapshot: RateLimitSnapshot | undefined,
  share: number,
  now: number,
): AccountBudget {
  if (account.provider === 'gitlab') {
    const perSecond = config.rateLimit.gitlab.requestsPerSecond;
    return perSecond > 0 ? { requestsPerMinute: perSecond * 60 * share } : {};
  }
  const { requestsPerMinute, requestsPerHour } = config.rateLimit.github;
  let hour = requestsPerHour > 0 ? requestsPerHour : undefined;
  if (snapshot !== undefined) {
    hour = Math.min(hour ?? Infinity, snapshot.limit);
    const untilReset = snapshot.resetAt.getTime() - now;
    if (untilReset > 0) {
      const spread = Math.max(untilReset, MIN_RESET_SPREAD_MS);
      hour = Math.min(hour, (snapshot.remaining * 3_600_000) / spread);
    }
  }
  return {
    ...(requestsPerMinute > 0 ? { requestsPerMinute: requestsPerMinute * share } : {}),
    ...(hour === undefined || !Number.isFinite(hour) ? {} : { quotaUnitsPerHour: hour * share }),
  };
}

/**
 * Before a repository's polls have been measured: a page of branches, one of tags and one of
 * requests; quota only on GitLab, where every request counts (a GitHub poll that finds nothing
 * new is answered 304, free of quota, and what it does cost is measured from its first poll).
 */
function firstPollCost(repo: RepositoryConfig): { requests: number; quotaUnits: number } {
  const requests =
    1 + (repo.tagRegex === undefined ? 0 : 1) + (repo.pullRequests === undefined ? 0 : 1);
  return { requests, quotaUnits: repo.provider === 'github' ? 0 : requests };
}

function sameStretch(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, factor] of a) {
    const other = b.get(name);
    if (other === undefined || Math.abs(other - factor) / factor > 0.05) return false;
  }
  return true;
}
