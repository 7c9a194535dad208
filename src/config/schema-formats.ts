import { parseDuration, formatDuration } from './parse-duration.js';
import { urlProblem } from './check-url.js';

/**
 * Convict format functions. Each throws an Error whose message is the reason shown to the user
 * (`path: reason`), and carries a `label` that the README reference prints as the key's type.
 * Formats for secret keys never put the value in their message.
 */
export interface LabeledFormat {
  (value: unknown): void;
  readonly label: string;
}

function labeled(label: string, check: (value: unknown) => void): LabeledFormat {
  return Object.assign((value: unknown) => check(value), { label });
}

/** A short JSON rendering of a bad value for problem messages. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function fail(reason: string): never {
  throw new Error(reason);
}

export function stringFormat(): LabeledFormat {
  return labeled('string', (value) => {
    if (typeof value !== 'string') fail(`must be a string (got ${showValue(value)})`);
  });
}

export function secretFormat(): LabeledFormat {
  return labeled('string (secret)', (value) => {
    if (typeof value !== 'string') fail('must be a string');
  });
}

export function enumFormat(values: readonly string[]): LabeledFormat {
  return labeled(values.join(' | '), (value) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      fail(`must be one of ${values.join(', ')} (got ${showValue(value)})`);
    }
  });
}

export function integerFormat(min: number, max?: number): LabeledFormat {
  const range = max === undefined ? `>= ${min}` : `${min}..${max}`;
  return labeled(`integer ${range}`, (value) => {
    const ok =
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= min &&
      (max === undefined || value <= max);
    if (!ok) fail(`must be an integer ${range} (got ${showValue(value)})`);
  });
}

export function numberFormat(range: {
  min: number;
  max?: number;
  minExclusive?: boolean;
}): LabeledFormat {
  const low = range.minExclusive === true ? `> ${range.min}` : `>= ${range.min}`;
  const text = range.max === undefined ? low : `${range.min}..${range.max}`;
  return labeled(`number ${text}`, (value) => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (range.minExclusive === true ? value > range.min : value >= range.min) &&
      (range.max === undefined || value <= range.max);
    if (!ok) fail(`must be a number ${text} (got ${showValue(value)})`);
  });
}

export function booleanFormat(): LabeledFormat {
  return labeled('boolean', (value) => {
    if (typeof value !== 'boolean') fail(`must be true or false (got ${showValue(value)})`);
  });
}

export function durationFormat(minMs: number): LabeledFormat {
  const label = minMs > 0 ? `duration >= ${formatDuration(minMs)}` : 'duration';
  return labeled(label, (value) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (err) {
      fail((err as Error).message);
    }
    if (ms < minMs) fail(`must be at least ${formatDuration(minMs)} (got ${showValue(value)})`);
  });
}

/** An http(s) URL, or the empty string for "not set". */
export function optionalHttpUrlFormat(): LabeledFormat {
  return labeled('http(s) URL', (value) => {
    if (typeof value !== 'string') fail(`must be a string (got ${showValue(value)})`);
    if (value === '') return;
    const reason = urlProblem(value, { kind: 'http', requireHttps: false });
    if (reason !== undefined) fail(reason);
  });
}

/** A postgres:// (or postgresql://) connection URL, or the empty string for "not set". */
export function postgresUrlFormat(): LabeledFormat {
  return labeled('postgres:// URL (secret)', (value) => {
    if (typeof value !== 'string') fail('must be a string');
    if (value === '') return;
    const reason = urlProblem(value, { kind: 'postgres', requireHttps: false });
    if (reason !== undefined) fail(reason);
  });
}

export function stringListFormat(): LabeledFormat {
  return labeled('list of strings', (value) => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      fail(`must be a list of strings (got ${showValue(value)})`);
    }
  });
}

/** A mapping of header names to scalar values (numbers and booleans are sent as text). */
export function headersFormat(): LabeledFormat {
  return labeled('map of header name to string', (value) => {
    const ok =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.values(value).every((item) => ['string', 'number', 'boolean'].includes(typeof item));
    if (!ok) fail('must be a mapping of header names to strings');
  });
}

export function listFormat(label: string): LabeledFormat {
  return labeled(label, (value) => {
    if (!Array.isArray(value)) fail(`must be a list (got ${showValue(value)})`);
  });
}

/** Accepted in any shape (keys kept only for compatibility). */
export function anyFormat(): LabeledFormat {
  return labeled('any', () => undefined);
}
