import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './parse-retry-after.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const LATEST = 8.64e15;

describe('parseRetryAfter', () => {
  it.each([
    ['delay-seconds', '120', 120_000],
    ['zero', '0', 0],
    ['leading zeros', '007', 7_000],
    ['white space around it', '  7 ', 7_000],
    ['a fraction', '1.5', 1_500],
    ['a fraction of a millisecond, rounded up', '0.0001', 1],
    ['a negative delay', '-5', 0],
    ['a negative fraction', '-0.5', 0],
    ['an IMF-fixdate ahead', 'Wed, 01 Jan 2025 00:00:10 GMT', 10_000],
    ['an RFC 850 date ahead', 'Wednesday, 01-Jan-25 00:01:00 GMT', 60_000],
    ['an asctime date ahead', 'Wed Jan  1 00:00:30 2025', 30_000],
    ['an HTTP-date in the past', 'Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['an HTTP-date now', 'Wed, 01 Jan 2025 00:00:00 GMT', 0],
    ['a huge delay, cut to the latest Date', '99999999999999999999', LATEST - NOW],
    ['a delay too long for a number', '9'.repeat(400), LATEST - NOW],
  ])('reads %s (%j)', (_what, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['a word', 'soon'],
    ['a duration with a unit', '5 minutes'],
    ['an exponent', '1e3'],
    ['hex', '0x10'],
    ['a plus sign', '+5'],
    ['Infinity', 'Infinity'],
    ['a date without a time', '12 Mar'],
    ['a time that is no date', '99:99:99 GMT'],
    ['a date too far for a Date', 'Fri, 01 Jan 300000 00:00:00 GMT'],
  ])('ignores %s', (_what, value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('waits from the clock it is given', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', NOW + 4_000)).toBe(6_000);
    expect(parseRetryAfter('3', 0)).toBe(3_000);
  });

  it('always leaves now + the delay a valid Date', () => {
    const ms = parseRetryAfter('9'.repeat(30), NOW)!;
    expect(new Date(NOW + ms).toISOString()).toBe('+275760-09-13T00:00:00.000Z');
  });
});
