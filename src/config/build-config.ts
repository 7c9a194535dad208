import path from 'node:path';
import { applySchema } from './apply-schema.js';
import { buildDiscovery } from './build-discovery.js';
import { buildRepository } from './build-repository.js';
import { checkGlobals, durationOrUndefined } from './check-globals.js';
import { redactSecrets } from '../logging/redact.js';
import { collectSecrets } from './collect-secrets.js';
import { ConfigError } from './config-error.js';
import {
  PAYLOAD_FORMATS,
  type Config,
  type PayloadFormat,
  type RepositoryConfig,
  type RepositoryDefaults,
} from './config-types.js';
import { noEffectWarnings } from './config-warnings.js';
import { deepFreeze } from './deep-freeze.js';
import { dropGoZeroDefaults } from './go-zero-defaults.js';
import { expandEnv, type EnvSubstitution } from './expand-env.js';
import { readRepositoriesFile } from './read-repositories-file.js';
import { configSchema, type RawConfig } from './schema.js';
import { showValue } from './schema-formats.js';
import { toConfig } from './to-config.js';

export interface BuildConfigOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Absolute path of the main file, when there is one. */
  readonly file?: string;
  /** Reads the repositories_config file (injected so tests and the watcher share one path). */
  readonly readFile: (file: string) => string;
}

/**
 * The whole pipeline from a parsed YAML document to a frozen Config: env expansion, the
 * repositories_config merge, the convict schema, cross-field checks. Collects every problem and
 * throws one ConfigError listing them all (deduplicated, secrets scrubbed).
 */
export function buildConfig(document: unknown, options: BuildConfigOptions): Config {
  const input = document ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    const label = options.file ?? 'config';
    throw new ConfigError([
      `${label}: must be a mapping of keys at the top level (got ${showValue(input)})`,
    ]);
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const allowed = allowListOf(input as Record<string, unknown>);
  const main = expandEnv(input, {
    env: options.env,
    allowed,
    skipPaths: ['security.allowed_env_vars'],
  });
  problems.push(...main.problems);
  const failed = new Set(main.failedPaths);
  const envProblems = new Set(main.problems);
  const substitutions: EnvSubstitution[] = [...main.substitutions];
  let raw = main.value as Record<string, unknown>;

  const repositoriesFile = repositoriesFileOf(raw, options.cwd);
  if (repositoriesFile !== undefined) {
    const extra = readRepositoriesFile(repositoriesFile, options.readFile);
    problems.push(...extra.problems);
    warnings.push(...extra.warnings);
    const own = raw.repositories ?? [];
    if (Array.isArray(own)) {
      const merged: unknown[] = [...(own as unknown[])];
      for (const item of extra.repositories) {
        const expanded = expandEnv(item, {
          env: options.env,
          allowed,
          basePath: `repositories[${merged.length}]`,
        });
        problems.push(...expanded.problems);
        expanded.problems.forEach((problem) => envProblems.add(problem));
        expanded.failedPaths.forEach((failedPath) => failed.add(failedPath));
        substitutions.push(...expanded.substitutions);
        merged.push(expanded.value);
      }
      raw = { ...raw, repositories: merged };
    }
  }
  const goDefaults = dropGoZeroDefaults(raw);
  raw = goDefaults.raw;
  warnings.push(...goDefaults.warnings);

  warnings.push(...noEffectWarnings(raw));
  const schema = applySchema(raw);
  problems.push(...schema.problems);
  const properties = schema.properties;
  const globals = checkGlobals(properties);
  problems.push(...globals.problems);
  warnings.push(...globals.warnings);
  const defaults = repositoryDefaults(properties);
  const repositories = buildRepositories(properties, defaults, problems, warnings);
  const discovery = Array.isArray(properties.discovery)
    ? buildDiscovery(properties.discovery, defaults, problems, warnings)
    : [];

  const secrets = collectSecrets(properties, substitutions);
  const reported = [...new Set(problems)]
    .filter((problem) => envProblems.has(problem) || !failedPathOf(problem, failed))
    .map((problem) => redactSecrets(problem, secrets));
  if (reported.length > 0) throw new ConfigError(reported);

  return deepFreeze(
    toConfig(properties, {
      cwd: options.cwd,
      source: {
        ...(options.file === undefined ? {} : { file: options.file }),
        ...(repositoriesFile === undefined ? {} : { repositoriesFile }),
      },
      repositories,
      discovery,
      secrets,
      warnings: [...new Set(warnings)].map((warning) => redactSecrets(warning, secrets)),
    }),
  );
}

/** What a repository inherits from the global settings when it does not set them. */
function repositoryDefaults(properties: RawConfig): RepositoryDefaults {
  const format = properties.tekton.payload_format;
  return {
    pollingIntervalMs: durationOrUndefined(properties.polling.interval) ?? 300_000,
    eventListenerUrl: properties.tekton.event_listener_url || undefined,
    payloadFormat: (PAYLOAD_FORMATS as readonly string[]).includes(format)
      ? (format as PayloadFormat)
      : 'auto',
    requireHttps: properties.security.require_https === true,
  };
}

function buildRepositories(
  properties: RawConfig,
  defaults: RepositoryDefaults,
  problems: string[],
  warnings: string[],
): RepositoryConfig[] {
  if (!Array.isArray(properties.repositories)) return [];
  const repositories: RepositoryConfig[] = [];
  const firstIndex = new Map<string, number>();
  properties.repositories.forEach((item, index) => {
    const outcome = buildRepository(item, `repositories[${index}]`, defaults);
    problems.push(...outcome.problems);
    warnings.push(...outcome.warnings);
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && name !== '') {
      const first = firstIndex.get(name);
      if (first === undefined) firstIndex.set(name, index);
      else
        problems.push(
          `repositories[${index}].name: duplicate name ${JSON.stringify(name)} (also repositories[${first}])`,
        );
    }
    if (outcome.repository !== undefined) repositories.push(outcome.repository);
  });
  return repositories;
}

/** The allow-list that governs expansion: the file's own when it is a list of strings. */
function allowListOf(input: Record<string, unknown>): readonly string[] {
  const security = input.security as { allowed_env_vars?: unknown } | null | undefined;
  const list = security?.allowed_env_vars;
  if (Array.isArray(list) && list.every((entry) => typeof entry === 'string')) return list;
  return configSchema.security.allowed_env_vars.default;
}

function repositoriesFileOf(raw: Record<string, unknown>, cwd: string): string | undefined {
  const value = raw.repositories_config;
  return typeof value === 'string' && value !== '' ? path.resolve(cwd, value) : undefined;
}

/** True when a problem is about a key whose `${VAR}` failed: its value is not worth checking. */
function failedPathOf(problem: string, failed: ReadonlySet<string>): boolean {
  for (const failedPath of failed) if (problem.startsWith(`${failedPath}: `)) return true;
  return false;
}
