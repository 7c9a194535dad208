/**
 * The Sprig and Helm template functions the chart uses, with their Go behaviour: typed
 * parameters refuse other types ("wrong type for value"), `int` converts like cast.ToInt,
 * `toYaml` sorts keys and drops the final newline, `fail`/`required` stop the render.
 */
import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import { type GoFunction, GoTemplateFailError } from './go-template-set.js';
import { goType, isGoMap, isNil, isTrue, printValue } from './go-value.js';

function wrongType(expected: string, value: unknown): Error {
  return new Error(`wrong type for value; expected ${expected}; got ${goType(value)}`);
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw wrongType('string', value);
  return value;
}

function int(value: unknown): number {
  if (typeof value !== 'bigint') throw wrongType('int', value);
  return Number(value);
}

/** Sprig's strval: strings as they are, anything else as fmt's %v. */
const strval = (value: unknown): string => (typeof value === 'string' ? value : printValue(value));

/** Sprig's empty: nil, false, 0, "" and empty lists and maps. */
const empty = (value: unknown): boolean => !isTrue(value);

/** cast.ToInt: numbers truncated, numeric strings parsed, anything else 0. */
function toInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'string') {
    const trimmed = value.replace(/\.0*$/, '');
    return /^[+-]?\d+$/.test(trimmed) ? BigInt(trimmed) : 0n;
  }
  return 0n;
}

/** Template data as plain YAML data (Go ints become numbers). */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (isGoMap(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function toYaml(value: unknown): string {
  if (isNil(value)) return 'null';
  return yaml
    .dump(plain(value), { sortKeys: true, lineWidth: -1, noRefs: true })
    .replace(/\n$/, '');
}

const indent = (spaces: unknown, text: unknown): string => {
  const pad = ' '.repeat(int(spaces));
  return pad + str(text).replace(/\n/g, `\n${pad}`);
};

function trunc(length: unknown, text: unknown): string {
  const n = int(length);
  const s = str(text);
  if (n < 0) return s.length + n > 0 ? s.slice(s.length + n) : s;
  return s.length > n ? s.slice(0, n) : s;
}

function dict(...pairs: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < pairs.length; i += 2) out[strval(pairs[i])] = pairs[i + 1] ?? '';
  return out;
}

export function helmFunctions(
  include: (name: string, data: unknown) => string,
): Record<string, GoFunction> {
  return {
    include: (name, data) => include(str(name), data),
    toYaml,
    indent,
    nindent: (spaces, text) => `\n${indent(spaces, text)}`,
    quote: (...args) =>
      args
        .filter((a) => !isNil(a))
        .map((a) => JSON.stringify(strval(a)))
        .join(' '),
    squote: (...args) =>
      args
        .filter((a) => !isNil(a))
        .map((a) => `'${strval(a)}'`)
        .join(' '),
    toString: strval,
    default: (fallback, ...given) => (given.length === 0 || empty(given[0]) ? fallback : given[0]),
    empty,
    int: toInt,
    trunc,
    trimSuffix: (suffix, text) => {
      const s = str(text);
      return s.endsWith(str(suffix)) ? s.slice(0, s.length - str(suffix).length) : s;
    },
    contains: (part, text) => str(text).includes(str(part)),
    replace: (from, to, text) => str(text).split(str(from)).join(str(to)),
    b64enc: (text) => Buffer.from(str(text)).toString('base64'),
    sha256sum: (text) => createHash('sha256').update(str(text)).digest('hex'),
    dict,
    list: (...items) => items,
    has: (needle, haystack) => Array.isArray(haystack) && haystack.some((item) => item === needle),
    fail: (message) => {
      throw new GoTemplateFailError(str(message));
    },
    required: (message, value) => {
      if (isNil(value) || value === '') throw new GoTemplateFailError(str(message));
      return value;
    },
  };
}
