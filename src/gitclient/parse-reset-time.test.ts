import { describe, expect, it } from 'vitest';
import { parseResetTime, retryAfterDate } from './parse-reset-time.js';

describe('parseResetTime', () => {
  const now = Date.UTC(2024, 0, 2, 3, 4, 5);

  it('reads epoch seconds (x-ratelimit-reset, GitLab RateLimit-Reset)', () => {
    expect(parseResetTime('1704164700', now)).toEqual(new Date(1704164700_000));
  });

  it('reads an HTTP date (RateLimit-ResetTime, some RateLimit-Reset)', () => {
    expect(parseResetTime('Tue, 02 Jan 2024 03:05:00 GMT', now)).toEqual(
      new Date(Date.UTC(2024, 0, 2, 3, 5, 0)),
    );
  });

  it('reads epoch milliseconds and delta seconds', () => {
    expect(parseResetTime('1704164700000', now)).toEqual(new Date(1704164700_000));
    expect(parseResetTime('30', now)).toEqual(new Date(now + 30_000));
  });

  it('keeps an absolute reset that has already passed', () => {
    expect(parseResetTime('Tue, 02 Jan 2024 03:00:00 GMT', now)).toEqual(
      new Date(Date.UTC(2024, 0, 2, 3, 0, 0)),
    );
  });

  it('returns undefined for absent or unreadable values', () => {
    expect(parseResetTime(undefined, now)).toBeUndefined();
    expect(parseResetTime('soon', now)).toBeUndefined();
    // Beyond what a Date can hold: toISOString() would throw in the API and the logs.
    expect(parseResetTime('99999999999999999999', now)).toBeUndefined();
  });
});

describe('retryAfterDate', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(retryAfterDate('2', 1000)).toEqual(new Date(3000));
    expect(retryAfterDate('Tue, 02 Jan 2024 03:05:00 GMT', 0)).toEqual(
      new Date(Date.UTC(2024, 0, 2, 3, 5, 0)),
    );
  });

  it('reads a wait that is already over as now, and a huge one as a valid Date', () => {
    const now = Date.UTC(2024, 0, 2, 3, 4, 5);
    expect(retryAfterDate('Tue, 02 Jan 2024 03:00:00 GMT', now)).toEqual(new Date(now));
    expect(retryAfterDate('-5', now)).toEqual(new Date(now));
    expect(retryAfterDate('99999999999999999999', now)?.toISOString()).toBe(
      '+275760-09-13T00:00:00.000Z',
    );
    expect(retryAfterDate('soon', now)).toBeUndefined();
  });
});
