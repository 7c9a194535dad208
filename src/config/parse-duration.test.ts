import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './parse-duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['30d', 2_592_000_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2m30s', 150_000],
    ['1500us', 2],
    ['0', 0],
    ['1500', 1500],
    [' 45s ', 45_000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes a plain number as milliseconds', () => {
    expect(parseDuration(2500)).toBe(2500);
  });

  it.each(['5 minutes', '5x', '', 'm', '-5s', '1h-30m', 'abc', '1e3'])(
    'rejects %j with a reason that names the value',
    (text) => {
      expect(() => parseDuration(text)).toThrow(`${JSON.stringify(text)} is not a duration`);
    },
  );

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, true, null, {}])(
    'rejects the non-duration value %j',
    (value) => {
      expect(() => parseDuration(value)).toThrow(/is not a duration/);
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1500, '1500ms'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [2_592_000_000, '30d'],
  ])('renders %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
