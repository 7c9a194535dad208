import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  it('lets `capacity` requests through back to back, then refills at the configured rate', () => {
    const c = clock();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2, now: c.now });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.waitMs()).toBe(500);
    c.advance(500);
    expect(bucket.tryTake()).toBe(true);
  });

  it('never holds more than capacity, even after a long idle time or refunds', () => {
    const c = clock();
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, now: c.now });
    c.advance(60_000);
    bucket.refund();
    expect(bucket.available()).toBe(2);
  });

  it('tells how long until the next token once it is empty', () => {
    const c = clock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 0.5, now: c.now });
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.waitMs()).toBe(2000);
    c.advance(2000);
    expect(bucket.tryTake()).toBe(true);
  });

  it('gives a token back on refund (a 304 costs no hourly budget)', () => {
    const c = clock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 0.001, now: c.now });
    expect(bucket.tryTake()).toBe(true);
    bucket.refund();
    expect(bucket.tryTake()).toBe(true);
  });
});
