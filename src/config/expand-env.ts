/**
 * `${NAME}` expansion in every string value of a raw config, limited by
 * security.allowed_env_vars. Problems name the key path and the variable, never a value.
 */
export interface EnvSubstitution {
  readonly path: string;
  readonly variable: string;
  readonly value: string;
}

export interface EnvExpansion {
  /** A copy of the input with every allowed, set reference replaced. */
  readonly value: unknown;
  readonly problems: string[];
  /** Key paths with a failed reference; other checks of those keys would only add noise. */
  readonly failedPaths: Set<string>;
  readonly substitutions: EnvSubstitution[];
}

export interface ExpandEnvOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly allowed: readonly string[];
  /** Path of `value` itself, e.g. `repositories[3]`; empty for the whole file. */
  readonly basePath?: string;
  /** Paths copied verbatim (the allow-list is never expanded). */
  readonly skipPaths?: readonly string[];
}

const REFERENCE = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when NAME is listed exactly, or matches a `PREFIX*` or `*SUFFIX` entry. */
export function isAllowedEnvVar(name: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    if (entry === name) return true;
    if (entry.endsWith('*')) return name.startsWith(entry.slice(0, -1));
    if (entry.startsWith('*')) return name.endsWith(entry.slice(1));
    return false;
  });
}

export function expandEnv(input: unknown, options: ExpandEnvOptions): EnvExpansion {
  const result: EnvExpansion = {
    value: undefined,
    problems: [],
    failedPaths: new Set(),
    substitutions: [],
  };
  const skip = new Set(options.skipPaths ?? []);

  const walk = (value: unknown, path: string): unknown => {
    if (skip.has(path)) return value;
    if (typeof value === 'string') return expandString(value, path);
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`));
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] = walk(inner, path === '' ? key : `${path}.${key}`);
      }
      return out;
    }
    return value;
  };

  const expandString = (text: string, path: string): string =>
    text.replace(REFERENCE, (reference, name: string) => {
      const problem = referenceProblem(name, options);
      if (problem !== undefined) {
        result.problems.push(`${path}: ${problem}`);
        result.failedPaths.add(path);
        return reference;
      }
      const value = options.env[name] ?? '';
      result.substitutions.push({ path, variable: name, value });
      return value;
    });

  const value = walk(input, options.basePath ?? '');
  return { ...result, value };
}

function referenceProblem(name: string, options: ExpandEnvOptions): string | undefined {
  if (!NAME.test(name)) return `"\${${name}}" is not a valid environment variable reference`;
  if (!isAllowedEnvVar(name, options.allowed)) {
    return `environment variable ${name} is not allowed by security.allowed_env_vars`;
  }
  if (options.env[name] === undefined) return `environment variable ${name} is not set`;
  return undefined;
}

/** The problem with one allow-list entry (wildcards only at one end), or undefined. */
export function allowListEntryProblem(entry: string): string | undefined {
  const inner = entry.replace(/^\*/, '').replace(/\*$/, '');
  if (entry === '*') return '"*" would allow every variable; list names, PREFIX* or *SUFFIX';
  if (entry.startsWith('*') && entry.endsWith('*')) {
    return `${JSON.stringify(entry)}: a wildcard may stand at the start or the end, not both`;
  }
  if (!NAME.test(inner)) {
    return `${JSON.stringify(entry)} is not a variable name, PREFIX* or *SUFFIX`;
  }
  return undefined;
}
