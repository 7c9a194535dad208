/**
 * Checks for the RepoSentry configs shipped with the deployment artifacts (Helm values, the
 * plain ConfigMap, the compose and systemd examples): their keys are SPEC section 2 keys and the
 * daemon's own loader accepts them.
 */
import { isConfigError } from '../../src/config/config-error.js';
import type { Config } from '../../src/config/config-types.js';
import { loadConfigFromObject } from '../../src/config/load-config.js';
import { REPOSITORY_KEY_NAMES } from '../../src/config/repository-keys.js';
import { configSchema } from '../../src/config/schema.js';
import { schemaLeaves } from '../../src/config/schema-leaves.js';

/** Values for the variables the deployment artifacts pass in from Secrets / env files. */
export const PLACEHOLDER_ENV = {
  GITHUB_TOKEN: 'placeholder-github-token',
  GITLAB_TOKEN: 'placeholder-gitlab-token',
  TEKTON_WEBHOOK_SECRET: 'placeholder-webhook-secret',
  REPOSENTRY_API_TOKEN: 'placeholder-api-token',
} as const;

/** A REPOSENTRY_DATABASE_URL of the shape the PostgreSQL variants pass in from a Secret. */
export const PLACEHOLDER_DATABASE_URL =
  'postgres://reposentry:placeholder-password@postgres.example.internal:5432/reposentry?sslmode=require';

const LEAVES = new Set(schemaLeaves(configSchema).map((leaf) => leaf.path));
const REPOSITORY_KEYS = new Set<string>(REPOSITORY_KEY_NAMES);

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys of `raw` that are not configuration keys, as `path.to.key` (empty when all are known). */
export function unknownConfigKeys(raw: unknown, prefix = ''): string[] {
  if (!isMapping(raw)) return [];
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (path === 'repositories') {
      (Array.isArray(value) ? value : []).forEach((repo, i) => {
        for (const repoKey of Object.keys(isMapping(repo) ? repo : {})) {
          if (!REPOSITORY_KEYS.has(repoKey)) unknown.push(`repositories[${i}].${repoKey}`);
        }
      });
    } else if (LEAVES.has(path)) {
      // a leaf may hold a mapping (tekton.headers): its keys are data, not config keys
    } else if (isMapping(value)) {
      unknown.push(...unknownConfigKeys(value, path));
    } else {
      unknown.push(path);
    }
  }
  return unknown;
}

/** The loaded config, or the loader's problems (one `path.to.key: reason` each). */
export function loadShippedConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = PLACEHOLDER_ENV,
): { config: Config } | { problems: readonly string[] } {
  try {
    return { config: loadConfigFromObject(raw, { env, cwd: '/' }) };
  } catch (err) {
    if (isConfigError(err)) return { problems: err.problems };
    throw err;
  }
}
