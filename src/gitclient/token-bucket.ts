/**
 * A token bucket: holds at most `capacity` tokens (the configured `burst`), refilled continuously
 * at `refillPerSecond`. Time is injectable for tests.
 */
export interface TokenBucketOptions {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly now?: () => number;
}

export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  private readonly now: () => number;
  private tokens: number;
  private updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.refillPerSecond > 0)) throw new RangeError('refillPerSecond must be > 0');
    this.capacity = Math.max(1, options.capacity);
    this.refillPerSecond = options.refillPerSecond;
    this.now = options.now ?? Date.now;
    this.tokens = this.capacity;
    this.updatedAt = this.now();
  }

  /** Tokens available now. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Milliseconds until one token is available; 0 when one is available now. */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.refillPerSecond) * 1000);
  }

  /** Takes a token if one is available now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Gives a token back (a request that turned out to cost nothing), up to capacity. */
  refund(): void {
    this.refill();
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  private refill(): void {
    const now = this.now();
    const elapsedMs = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1000) * this.refillPerSecond);
  }
}
