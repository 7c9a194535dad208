/**
 * A token bucket per source address, so one sender cannot make the daemon poll without end: each
 * source may send BURST hooks at once and RATE a second after that. The buckets of sources not
 * heard from for a while are dropped, and at most MAX_SOURCES are kept.
 */
const BURST = 1_000;
const RATE = 100;
const MAX_SOURCES = 10_000;

export class SourceLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token for `source`; the seconds to wait when there is none. */
  take(source: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(source) ?? { tokens: BURST, at: now };
    bucket.tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * RATE);
    bucket.at = now;
    this.buckets.delete(source);
    this.buckets.set(source, bucket);
    if (this.buckets.size > MAX_SOURCES) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens < 1) {
      return { ok: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / RATE) };
    }
    bucket.tokens -= 1;
    return { ok: true };
  }
}
