import { RateLimitError } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { PollBudget } from './poll-budget.js';
import type { QuotaTracker } from './quota-tracker.js';
import type { TokenBucket } from './token-bucket.js';

export interface GateBucket {
  readonly bucket: TokenBucket;
  /** Shown in logs: which configured budget this bucket enforces. */
  readonly label: string;
  /** A request answered for free (304) gives its token back. */
  readonly refundWhenFree: boolean;
}

/** The receipt of one admitted request. */
export interface GateTicket {
  /** The request cost no quota (304): refunds the quota buckets, once. */
  free(): void;
}

/**
 * Admits the requests of one API credential: first the forge's own verdict (exhausted quota,
 * Retry-After), then the configured token buckets. A wait that fits the poll's budget is slept
 * (abortable, logged, visible in rateLimits()); a longer one fails fast with RateLimitError so the
 * poll can fall back to ls-remote instead of blocking a worker until the reset.
 */
export class RequestGate {
  constructor(
    readonly quota: QuotaTracker,
    private readonly buckets: readonly GateBucket[],
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(budget: PollBudget, repo: string): Promise<GateTicket> {
    await this.waitForReset(budget, repo);
    for (const { bucket, label } of this.buckets) {
      while (!bucket.tryTake()) {
        const waitMs = bucket.waitMs();
        const until = new Date(this.now() + waitMs);
        if (waitMs >= budget.remainingMs()) {
          throw new RateLimitError(
            `Configured ${label} budget for ${this.quota.host} is spent`,
            until,
          );
        }
        this.log.debug('Waiting for request budget', {
          repo,
          host: this.quota.host,
          budget: label,
          waitMs,
        });
        await budget.sleep(waitMs, `Waiting for the ${label} budget`, 'forge-unavailable');
      }
    }
    let refunded = false;
    return {
      free: () => {
        if (refunded) return;
        refunded = true;
        for (const { bucket, refundWhenFree } of this.buckets) if (refundWhenFree) bucket.refund();
      },
    };
  }

  /**
   * Waits until the forge allows requests again, when that fits the budget; otherwise throws
   * RateLimitError with the reset time. Also used after a 403/429 told us to wait.
   */
  async waitForReset(budget: PollBudget, repo: string): Promise<void> {
    const until = this.quota.blockedUntil();
    if (until === undefined) return;
    const waitMs = until.getTime() - this.now();
    if (waitMs >= budget.remainingMs()) {
      throw new RateLimitError(`Rate limit of ${this.quota.host} is exhausted`, until);
    }
    this.log.info('Waiting for rate limit reset', {
      repo,
      host: this.quota.host,
      resetAt: until.toISOString(),
      waitMs,
    });
    this.quota.setWaiting(until);
    try {
      await budget.sleep(waitMs, 'Waiting for the rate limit reset', 'forge-unavailable');
    } finally {
      this.quota.setWaiting(undefined);
    }
  }
}

/**
 * Runs one request; when the forge answers "rate limited", waits for the reset if that fits the
 * budget and tries again (at most `attempts` times), else lets the RateLimitError through.
 */
export async function withRateLimitWaits<T>(
  gate: RequestGate,
  budget: PollBudget,
  repo: string,
  run: () => Promise<T>,
  attempts = 2,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof RateLimitError) || attempt >= attempts) throw err;
      gate.quota.block(err.resetAt);
      await gate.waitForReset(budget, repo);
    }
  }
}
