import convict from 'convict';
import { configSchema, type RawConfig } from './schema.js';
import { isSchemaLeaf, schemaLeaves } from './schema-leaves.js';
import { showValue } from './schema-formats.js';
import { unknownKeyReason } from './suggest-key.js';

export interface SchemaResult {
  /** Defaults filled in; only meaningful when `problems` is empty. */
  readonly properties: RawConfig;
  readonly problems: string[];
}

const LEAF_PATHS = schemaLeaves(configSchema)
  .map((leaf) => leaf.path)
  .sort((a, b) => b.length - a.length);

/**
 * Validates a raw (env-expanded) config object against the convict schema in strict mode and
 * returns every problem as `path: reason`. Before convict sees the object, scalar strings are
 * coerced where the key wants a number or boolean (values from `${VAR}` are strings) and values
 * of an impossible shape are reported and dropped, so convict's own coercion never guesses.
 */
export function applySchema(raw: Record<string, unknown>): SchemaResult {
  const problems: string[] = [];
  const prepared = prepare(raw, configSchema, '', problems);
  const config = convict<RawConfig>(configSchema, { env: {}, args: [] });
  config.load(prepared);
  try {
    config.validate({ allowed: 'strict', output: () => undefined });
  } catch (err) {
    problems.push(...convictProblems(err instanceof Error ? err.message : String(err)));
  }
  return { properties: config.getProperties(), problems };
}

function prepare(
  raw: Record<string, unknown>,
  section: object,
  prefix: string,
  problems: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const node: unknown = (section as Record<string, unknown>)[key];
    if (node === undefined || !Object.hasOwn(section, key)) {
      out[key] = value;
    } else if (value === null) {
      continue;
    } else if (!isSchemaLeaf(node)) {
      if (isPlainObject(value)) out[key] = prepare(value, node as object, path, problems);
      else problems.push(`${path}: must be a mapping of keys (got ${showValue(value)})`);
    } else {
      const coerced = coerce(value, node.default);
      if (coerced.ok) out[key] = coerced.value;
      else problems.push(`${path}: ${formatReason(node.format, value)}`);
    }
  }
  return out;
}

function coerce(value: unknown, fallback: unknown): { ok: true; value: unknown } | { ok: false } {
  const wants = fallback === null ? 'any' : Array.isArray(fallback) ? 'array' : typeof fallback;
  if (typeof value === 'string') {
    if (wants === 'number') {
      return /^-?\d+(?:\.\d+)?$/.test(value.trim())
        ? { ok: true, value: Number(value) }
        : { ok: false };
    }
    if (wants === 'boolean') {
      const lower = value.trim().toLowerCase();
      return lower === 'true' || lower === 'false'
        ? { ok: true, value: lower === 'true' }
        : { ok: false };
    }
    return wants === 'object' || wants === 'array' ? { ok: false } : { ok: true, value };
  }
  if (isPlainObject(value) && wants !== 'object' && wants !== 'any') return { ok: false };
  return { ok: true, value };
}

function formatReason(format: (value: unknown) => void, value: unknown): string {
  try {
    format(value);
  } catch (err) {
    if (err instanceof Error) return err.message;
  }
  return `has the wrong type (got ${showValue(value)})`;
}

/** Turns convict's aggregated message (one line per problem) into `path: reason` lines. */
function convictProblems(message: string): string[] {
  return message
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const undeclared = /^configuration param '(.+)' not declared in the schema$/.exec(line);
      if (undeclared?.[1] !== undefined) return unknownKey(undeclared[1]);
      const missing = /^configuration param '(.+)' missing from config/.exec(line);
      if (missing?.[1] !== undefined) return `${missing[1]}: must be a mapping of keys`;
      const path = LEAF_PATHS.find((leaf) => line.startsWith(`${leaf}: `));
      if (path === undefined) return line;
      const reason = line.slice(path.length + 2);
      const cut = reason.indexOf(': value was ');
      return `${path}: ${cut === -1 ? reason : reason.slice(0, cut)}`;
    });
}

function unknownKey(path: string): string {
  const parts = path.split('.');
  let section: unknown = configSchema;
  let depth = 0;
  for (const part of parts) {
    const next: unknown = (section as Record<string, unknown>)[part];
    if (next === undefined || isSchemaLeaf(next) || !Object.hasOwn(section as object, part)) break;
    section = next;
    depth += 1;
  }
  const known = Object.keys(section as object);
  const keyPath = parts.slice(0, depth + 1).join('.');
  return `${keyPath}: ${unknownKeyReason(parts[depth] ?? '', known)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
