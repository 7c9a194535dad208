import type { RateLimitSnapshot } from './git-client.js';

export interface QuotaUpdate {
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetAt?: Date;
}

/**
 * What a forge last said about one credential's quota, plus any "come back later" it imposed
 * (exhausted quota, secondary limit, 429). `blockedUntil` is when requests may go out again.
 */
export class QuotaTracker {
  private limit: number | undefined;
  private remaining: number | undefined;
  private resetAt: Date | undefined;
  private blockedUntilMs = 0;
  private waitingUntil: Date | undefined;

  constructor(
    readonly provider: RateLimitSnapshot['provider'],
    readonly host: string,
    readonly account: string,
    private readonly now: () => number = Date.now,
  ) {}

  update(update: QuotaUpdate): void {
    if (update.limit !== undefined) this.limit = update.limit;
    if (update.remaining !== undefined) this.remaining = update.remaining;
    if (update.resetAt !== undefined) this.resetAt = update.resetAt;
    if (update.remaining === 0 && update.resetAt !== undefined) this.block(update.resetAt);
  }

  /** No request before `until` (exhausted quota, secondary limit, Retry-After). */
  block(until: Date): void {
    this.blockedUntilMs = Math.max(this.blockedUntilMs, until.getTime());
  }

  /** When requests may go out again, or undefined when they may go out now. */
  blockedUntil(): Date | undefined {
    return this.blockedUntilMs > this.now() ? new Date(this.blockedUntilMs) : undefined;
  }

  setWaiting(until: Date | undefined): void {
    this.waitingUntil = until;
  }

  snapshot(): RateLimitSnapshot | undefined {
    if (this.limit === undefined || this.remaining === undefined || this.resetAt === undefined) {
      return undefined;
    }
    const resetPassed = this.resetAt.getTime() <= this.now();
    return {
      provider: this.provider,
      host: this.host,
      account: this.account,
      limit: this.limit,
      remaining: resetPassed ? this.limit : this.remaining,
      resetAt: this.resetAt,
      ...(this.waitingUntil ? { waitingUntil: this.waitingUntil } : {}),
    };
  }
}
