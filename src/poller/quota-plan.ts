/**
 * The quota governor's arithmetic: from each repository's interval and cost per poll, the
 * requests an API account (host and token) will spend per minute and per hour, and the stretch
 * that keeps both under their budgets, most idle repositories first. Pure.
 */

/** Forecasts are kept under this share of a budget, leaving room for retries and listings. */
export const BUDGET_HEADROOM = 0.9;
/** A repository is stretched at most to this interval by the first pass (longer intervals stay). */
export const MAX_STRETCHED_INTERVAL_MS = 60 * 60_000;

export interface GovernedRepository {
  readonly name: string;
  /** `provider host account` of the API account it spends (see quotaAccountKey). */
  readonly account: string;
  /** Its interval before any stretch (adaptive polling included). */
  readonly intervalMs: number;
  /** Its last activity; the longer ago, the sooner it is stretched. Undefined: active now. */
  readonly activeAt?: number;
  /** Requests per poll, 304s included (what secondary, per-minute limits count). */
  readonly requestsPerPoll: number;
  /** Requests per poll that spend the hourly quota (not 304s). */
  readonly quotaUnitsPerPoll: number;
}

export interface AccountBudget {
  /** Requests per minute, 304s included; undefined = no such limit. */
  readonly requestsPerMinute?: number;
  /** Quota units per hour; undefined = no such limit. */
  readonly quotaUnitsPerHour?: number;
}

export interface WindowForecast {
  /** What the repositories would spend at their intervals before any stretch. */
  readonly demand: number;
  /** What they spend at the planned intervals. */
  readonly planned: number;
  readonly budget: number | null;
}

export interface AccountForecast {
  readonly account: string;
  readonly repositories: number;
  readonly minute: WindowForecast;
  readonly hour: WindowForecast;
  /** Repositories polled less often than their interval to stay within the budgets. */
  readonly stretched: number;
  /** The largest factor an interval was multiplied by (1 = none). */
  readonly largestStretch: number;
}

export interface QuotaPlan {
  /** Factor (> 1) per stretched repository. */
  readonly stretch: ReadonlyMap<string, number>;
  readonly accounts: readonly AccountForecast[];
}

export function planQuota(
  repositories: readonly GovernedRepository[],
  budgets: ReadonlyMap<string, AccountBudget>,
  now: number,
): QuotaPlan {
  const byAccount = new Map<string, GovernedRepository[]>();
  for (const repository of repositories) {
    const list = byAccount.get(repository.account) ?? [];
    list.push(repository);
    byAccount.set(repository.account, list);
  }
  const stretch = new Map<string, number>();
  const accounts: AccountForecast[] = [];
  for (const [account, list] of [...byAccount].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const budget = budgets.get(account) ?? {};
    const factors = planAccount(list, budget, now);
    for (const [name, factor] of factors) stretch.set(name, factor);
    const factorOf = (r: GovernedRepository) => factors.get(r.name) ?? 1;
    const spend = (perPoll: (r: GovernedRepository) => number, windowMs: number, f: boolean) =>
      list.reduce(
        (sum, r) => sum + (perPoll(r) * windowMs) / (r.intervalMs * (f ? factorOf(r) : 1)),
        0,
      );
    const window = (
      perPoll: (r: GovernedRepository) => number,
      windowMs: number,
      limit?: number,
    ) => ({
      demand: round(spend(perPoll, windowMs, false)),
      planned: round(spend(perPoll, windowMs, true)),
      budget: limit ?? null,
    });
    accounts.push({
      account,
      repositories: list.length,
      minute: window((r) => r.requestsPerPoll, 60_000, budget.requestsPerMinute),
      hour: window((r) => r.quotaUnitsPerPoll, 3_600_000, budget.quotaUnitsPerHour),
      stretched: factors.size,
      largestStretch: round(Math.max(1, ...factors.values())),
    });
  }
  return { stretch, accounts };
}

interface Window {
  readonly perPoll: (r: GovernedRepository) => number;
  readonly ms: number;
  /** The share of the budget the plan may fill. */
  readonly target: number;
}

/**
 * The stretch factors of one account's repositories (only those above 1). Each repository's
 * factor is `level` times its idleness weight (its idle time, plus one interval, over the
 * longest such of the account), at least 1 and at most what MAX_STRETCHED_INTERVAL_MS allows:
 * the most idle are stretched first and furthest, the most active last, and the level is the
 * least that fits every window. When even every repository at its longest does not fit, all
 * are stretched alike beyond it.
 */
function planAccount(
  list: readonly GovernedRepository[],
  budget: AccountBudget,
  now: number,
): Map<string, number> {
  const windows: Window[] = [];
  // A budget of nothing (a quota spent until its reset) is the request gate's to wait out: no
  // stretch could fit it, and planning for it would stop polls that cost no quota at all.
  if (budget.requestsPerMinute !== undefined && budget.requestsPerMinute > 0) {
    const target = budget.requestsPerMinute * BUDGET_HEADROOM;
    windows.push({ perPoll: (r) => r.requestsPerPoll, ms: 60_000, target });
  }
  if (budget.quotaUnitsPerHour !== undefined && budget.quotaUnitsPerHour > 0) {
    const target = budget.quotaUnitsPerHour * BUDGET_HEADROOM;
    windows.push({ perPoll: (r) => r.quotaUnitsPerPoll, ms: 3_600_000, target });
  }
  const rates = list.map((r) => windows.map((w) => (w.perPoll(r) * w.ms) / r.intervalMs));
  const caps = list.map((r) => Math.max(1, MAX_STRETCHED_INTERVAL_MS / r.intervalMs));
  const idle = list.map((r) => Math.max(0, now - (r.activeAt ?? now)) + r.intervalMs);
  const longest = Math.max(...idle);
  const weights = idle.map((value) => value / longest);
  const factorsAt = (level: number): number[] =>
    weights.map((weight, i) => Math.min(caps[i] ?? 1, Math.max(1, level * weight)));
  const fits = (factors: readonly number[]): boolean =>
    windows.every((w, k) => {
      let spend = 0;
      factors.forEach((factor, i) => {
        spend += (rates[i]?.[k] ?? 0) / factor;
      });
      return spend <= w.target;
    });
  const factors = new Map<string, number>();
  if (windows.length === 0 || fits(factorsAt(1))) return factors;
  const highest = Math.max(...caps) / Math.min(...weights);
  let chosen: number[];
  if (fits(factorsAt(highest))) {
    // The least level that fits, by bisection (the spend falls as the level rises).
    let low = 1;
    let high = highest;
    for (let step = 0; step < 60 && high - low > 1e-6 * high; step += 1) {
      const middle = (low + high) / 2;
      if (fits(factorsAt(middle))) high = middle;
      else low = middle;
    }
    chosen = factorsAt(high);
  } else {
    const atLongest = factorsAt(highest);
    const ratio = Math.max(
      1,
      ...windows.map((w, k) => {
        let spend = 0;
        atLongest.forEach((factor, i) => {
          spend += (rates[i]?.[k] ?? 0) / factor;
        });
        return spend / w.target;
      }),
    );
    chosen = atLongest.map((factor) => factor * ratio);
  }
  list.forEach((repository, i) => factors.set(repository.name, chosen[i] ?? 1));
  return dropOnes(factors);
}

function dropOnes(factors: Map<string, number>): Map<string, number> {
  for (const [name, factor] of factors) {
    if (!Number.isFinite(factor) || factor <= 1.0001) factors.delete(name);
  }
  return factors;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
