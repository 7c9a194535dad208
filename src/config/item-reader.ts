import { urlProblem, type UrlKind } from './check-url.js';
import { compilePattern } from './compile-pattern.js';
import { showValue } from './schema-formats.js';
import { unknownKeyReason } from './suggest-key.js';

/** The typed reads of one mapping of a list (`repositories[i]`, `discovery[i]`). */
export interface ItemReader {
  /** A string key; absent, null and '' read as undefined (reported when `required`). */
  readonly text: (key: string, required: boolean, secret?: boolean) => string | undefined;
  /** A URL key of `kind`, checked as urlProblem does. */
  readonly url: (key: string, kind: UrlKind, required: boolean) => string | undefined;
  /** A regex key, compiled as compilePattern does. */
  readonly pattern: (key: string) => { source: string; regex: RegExp } | undefined;
}

/**
 * Reports every key of `item` not in `known`, and reads its keys, each problem added to
 * `problems` as `<at>.<key>: reason` (a secret's value never shown).
 */
export function readItem(
  item: Record<string, unknown>,
  at: string,
  known: readonly string[],
  requireHttps: boolean,
  problems: string[],
): ItemReader {
  for (const key of Object.keys(item)) {
    if (!known.includes(key)) problems.push(`${at}.${key}: ${unknownKeyReason(key, known)}`);
  }
  const text = (key: string, required: boolean, secret = false): string | undefined => {
    const value = item[key];
    if (value === undefined || value === null || value === '') {
      if (required) problems.push(`${at}.${key}: is required`);
      return undefined;
    }
    if (typeof value !== 'string') {
      problems.push(`${at}.${key}: must be a string${secret ? '' : ` (got ${showValue(value)})`}`);
      return undefined;
    }
    return value;
  };
  return {
    text,
    url: (key, kind, required) => {
      const value = text(key, required);
      if (value === undefined) return undefined;
      const reason = urlProblem(value, { kind, requireHttps });
      if (reason === undefined) return value;
      problems.push(`${at}.${key}: ${reason}`);
      return undefined;
    },
    pattern: (key) => {
      const source = text(key, false);
      if (source === undefined) return undefined;
      const compiled = compilePattern(source);
      if ('regex' in compiled) return { source, regex: compiled.regex };
      problems.push(`${at}.${key}: ${compiled.reason}`);
      return undefined;
    },
  };
}
