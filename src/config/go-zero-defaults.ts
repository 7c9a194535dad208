/**
 * Keys for which the Go RepoSentry read 0 as "use the default", and which its
 * `config init` writes that way. RepoSentry rejects 0 there, so for these keys alone 0 keeps the
 * Go meaning, with a warning. `security.allowed_env_vars: []` is not among them: an empty allow
 * list stays "no variable may be expanded", never a wider default.
 */
export const GO_ZERO_MEANS_DEFAULT = [
  'tekton.retry_attempts',
  'rate_limit.github.requests_per_hour',
  'rate_limit.github.burst',
  'rate_limit.gitlab.requests_per_second',
  'rate_limit.gitlab.burst',
  'app.log_file_rotation.max_size',
] as const;

function isGoZero(value: unknown): boolean {
  return value === 0 || value === '0';
}

/** A copy of `raw` without the Go "zero = default" values, and one warning per key dropped. */
export function dropGoZeroDefaults(raw: Record<string, unknown>): {
  raw: Record<string, unknown>;
  warnings: string[];
} {
  const warnings: string[] = [];
  let out = raw;
  for (const path of GO_ZERO_MEANS_DEFAULT) {
    const parts = path.split('.');
    const parents: Record<string, unknown>[] = [];
    let node: unknown = out;
    for (const part of parts.slice(0, -1)) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) break;
      parents.push(node as Record<string, unknown>);
      node = (node as Record<string, unknown>)[part];
    }
    if (parents.length !== parts.length - 1 || node === null || typeof node !== 'object') continue;
    const leaf = parts.at(-1) as string;
    if (!isGoZero((node as Record<string, unknown>)[leaf])) continue;
    // Rebuild the path without the leaf, copying each level so the input is left untouched.
    const rebuild = (level: Record<string, unknown>, depth: number): Record<string, unknown> => {
      const key = parts[depth] as string;
      if (depth === parts.length - 1) {
        const { [key]: _dropped, ...rest } = level;
        return rest;
      }
      return { ...level, [key]: rebuild(level[key] as Record<string, unknown>, depth + 1) };
    };
    out = rebuild(out, 0);
    warnings.push(
      `${path}: an empty or 0 value means "the default" (as in the Go RepoSentry); the default is used`,
    );
  }
  return { raw: out, warnings };
}
