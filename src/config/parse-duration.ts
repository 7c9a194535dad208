/**
 * Durations in the config file: Go-style strings (`500ms`, `30s`, `5m`, `1h30m`, `1.5h`), days
 * (`30d`), or plain milliseconds (a number or a numeric string). The result is whole milliseconds.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;
const COMPOUND = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/g;

export const DURATION_EXAMPLES = '500ms, 30s, 5m, 1h30m, 30d or plain milliseconds';

/**
 * Parses a duration into milliseconds. Throws a RangeError whose message names the value and
 * shows the accepted forms; negative durations are rejected.
 */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
    throw new RangeError(`${describe(value)} is not a duration (use ${DURATION_EXAMPLES})`);
  }
  if (typeof value !== 'string') {
    throw new RangeError(`${describe(value)} is not a duration (use ${DURATION_EXAMPLES})`);
  }
  const text = value.trim();
  if (PLAIN_NUMBER.test(text)) return Math.round(Number(text));
  if (!COMPOUND.test(text)) {
    throw new RangeError(`${describe(value)} is not a duration (use ${DURATION_EXAMPLES})`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
  }
  return Math.round(total);
}

/** Renders milliseconds in the largest exact units, e.g. 5400000 -> `1h30m`, 1500 -> `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  if (ms % 1000 !== 0) return `${ms}ms`;
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
