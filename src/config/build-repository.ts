import {
  PAYLOAD_FORMATS,
  PROVIDERS,
  type PayloadFormat,
  type Provider,
  type RepositoryConfig,
  type RepositoryDefaults,
  type ResolvedPayloadFormat,
} from './config-types.js';
import { buildPullRequests } from './build-pull-requests.js';
import { readItem } from './item-reader.js';
import { shortIntervalWarning } from './config-warnings.js';
import { parseDuration } from './parse-duration.js';
import { REPOSITORY_KEY_NAMES } from './repository-keys.js';
import { showValue } from './schema-formats.js';

export type { RepositoryDefaults } from './config-types.js';

export interface RepositoryOutcome {
  /** Present only when the item has no problem. */
  readonly repository?: RepositoryConfig;
  readonly problems: string[];
  readonly warnings: string[];
}

/**
 * Validates one repository item (`at` names it in problems: `repositories[3]`) and resolves its
 * overrides against `defaults`. `source` is kept on the result (see RepositoryConfig.source).
 */
export function buildRepository(
  raw: unknown,
  at: string,
  defaults: RepositoryDefaults,
  source?: string,
): RepositoryOutcome {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${at}: must be a mapping with name, url and provider (got ${showValue(raw)})`);
    return { problems, warnings };
  }
  const item = raw as Record<string, unknown>;
  const { text, url, pattern } = readItem(
    item,
    at,
    REPOSITORY_KEY_NAMES,
    defaults.requireHttps,
    problems,
  );
  const oneOf = <T extends string>(
    key: string,
    allowed: readonly T[],
    required: boolean,
  ): T | undefined => {
    const value = text(key, required);
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${at}.${key}: must be one of ${allowed.join(', ')} (got ${showValue(value)})`);
    return undefined;
  };
  const name = text('name', true);
  const provider = oneOf<Provider>('provider', PROVIDERS, true);
  // Without a valid provider the URL's accepted forms are unknown: only require it.
  const repoUrl =
    provider === undefined
      ? text('url', true)
      : url('url', provider === 'git' ? 'git' : 'http', true);
  const token = text('token', false, true);
  const branch = pattern('branch_regex') ?? { source: '.*', regex: /.*/ };
  const tag = pattern('tag_regex');
  const pollingIntervalMs = interval(
    item.polling_interval,
    `${at}.polling_interval`,
    problems,
    warnings,
  );
  const apiBaseUrl = url('api_base_url', 'http', false);
  const enabled = flag(item.enabled, `${at}.enabled`, problems);
  const ownListener = url('event_listener_url', 'http', false);
  const format = oneOf<PayloadFormat>('payload_format', PAYLOAD_FORMATS, false);
  const pullRequests = buildPullRequests(item.pull_requests, `${at}.pull_requests`, problems);

  if (
    provider === 'git' &&
    pullRequests !== undefined &&
    (!pullRequests.includeForks ||
      !pullRequests.includeDrafts ||
      pullRequests.targetBranchPattern !== '.*')
  ) {
    problems.push(
      `${at}.pull_requests: a plain git remote shows only the heads of requests (refs/pull/*/head, refs/merge-requests/*/head), not their target branch, draft state or origin; set include_forks: true and leave target_branch_regex and include_drafts as they are, or use provider github or gitlab`,
    );
  }
  const eventListenerUrl = ownListener ?? defaults.eventListenerUrl;
  if (eventListenerUrl === undefined && item.event_listener_url === undefined) {
    problems.push(
      `${at}.event_listener_url: is required because tekton.event_listener_url is not set`,
    );
  }
  if (
    problems.length > 0 ||
    name === undefined ||
    provider === undefined ||
    repoUrl === undefined
  ) {
    return { problems, warnings };
  }
  const repository: RepositoryConfig = {
    name,
    url: repoUrl,
    provider,
    ...(token === undefined ? {} : { token }),
    branchPattern: branch.source,
    branchRegex: branch.regex,
    ...(tag === undefined ? {} : { tagPattern: tag.source, tagRegex: tag.regex }),
    pollingIntervalMs: pollingIntervalMs ?? defaults.pollingIntervalMs,
    ...(apiBaseUrl === undefined ? {} : { apiBaseUrl }),
    enabled: enabled ?? true,
    eventListenerUrl: eventListenerUrl ?? '',
    payloadFormat: resolvePayloadFormat(format ?? defaults.payloadFormat, provider),
    ...(pullRequests === undefined ? {} : { pullRequests }),
    ...(source === undefined ? {} : { source }),
  };
  return { repository, problems, warnings };
}

/** `auto` means the body the provider itself would send: gitlab for GitLab, github otherwise. */
export function resolvePayloadFormat(
  format: PayloadFormat,
  provider: Provider,
): ResolvedPayloadFormat {
  if (format !== 'auto') return format;
  return provider === 'gitlab' ? 'gitlab' : 'github';
}

/** A `polling_interval`-like duration (>= 1s), or undefined when absent or bad (then reported). */
export function interval(
  value: unknown,
  path: string,
  problems: string[],
  warnings: string[],
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    problems.push(`${path}: ${(err as Error).message}`);
    return undefined;
  }
  if (ms < 1000) {
    problems.push(`${path}: must be at least 1s (got ${showValue(value)})`);
    return undefined;
  }
  const warning = shortIntervalWarning(path, ms);
  if (warning !== undefined) warnings.push(warning);
  return ms;
}

/** A boolean key (`"true"`/`"false"` from `${VAR}` accepted), or undefined when absent or bad. */
export function flag(value: unknown, path: string, problems: string[]): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  problems.push(`${path}: must be true or false (got ${showValue(value)})`);
  return undefined;
}
