import { buildRepository, flag, interval } from './build-repository.js';
import {
  DISCOVERY_PROVIDERS,
  type DiscoveryConfig,
  type DiscoveryProvider,
  type RepositoryDefaults,
} from './config-types.js';
import { DISCOVERY_KEY_NAMES } from './discovery-keys.js';
import { showValue } from './schema-formats.js';
import { readItem } from './item-reader.js';

/** How often a list is read again when `interval` is not set. */
export const DEFAULT_DISCOVERY_INTERVAL_MS = 10 * 60_000;

/** Keys a repository found takes from the host, which a template cannot set. */
const FOUND_KEYS = ['name', 'url', 'provider'] as const;

/**
 * Validates the `discovery` list: each entry's keys, its template (as a repository item without
 * name, url and provider) and unique names. Every problem is collected as `discovery[i].key: ...`.
 */
export function buildDiscovery(
  list: readonly unknown[],
  defaults: RepositoryDefaults,
  problems: string[],
  warnings: string[],
): DiscoveryConfig[] {
  const entries: DiscoveryConfig[] = [];
  const firstIndex = new Map<string, number>();
  list.forEach((raw, index) => {
    const entry = buildEntry(raw, `discovery[${index}]`, defaults, problems, warnings);
    const name = (raw as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && name !== '') {
      const first = firstIndex.get(name);
      if (first === undefined) firstIndex.set(name, index);
      else
        problems.push(
          `discovery[${index}].name: duplicate name ${JSON.stringify(name)} (also discovery[${first}])`,
        );
    }
    if (entry !== undefined) entries.push(entry);
  });
  return entries;
}

function buildEntry(
  raw: unknown,
  at: string,
  defaults: RepositoryDefaults,
  allProblems: string[],
  warnings: string[],
): DiscoveryConfig | undefined {
  const problems: string[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    allProblems.push(
      `${at}: must be a mapping with name, provider, owner and url (got ${showValue(raw)})`,
    );
    return undefined;
  }
  const item = raw as Record<string, unknown>;
  const {
    text,
    url: urlOf,
    pattern,
  } = readItem(item, at, DISCOVERY_KEY_NAMES, defaults.requireHttps, problems);
  const httpUrl = (key: string, required: boolean) => urlOf(key, 'http', required);

  const name = text('name', true);
  if (name !== undefined && /[\s/]/.test(name)) {
    problems.push(`${at}.name: must not contain spaces or slashes (got ${showValue(name)})`);
  }
  const providerText = text('provider', true);
  let provider: DiscoveryProvider | undefined;
  if (providerText !== undefined) {
    if ((DISCOVERY_PROVIDERS as readonly string[]).includes(providerText)) {
      provider = providerText as DiscoveryProvider;
    } else {
      problems.push(
        `${at}.provider: must be one of ${DISCOVERY_PROVIDERS.join(', ')} (got ${showValue(providerText)}); a plain git remote cannot list repositories`,
      );
    }
  }
  const owner = text('owner', true)?.replace(/^\/+|\/+$/g, '');
  if (owner === '') problems.push(`${at}.owner: must name an organization, user or group`);
  const url = httpUrl('url', true);
  const token = text('token', false, true);
  const apiBaseUrl = httpUrl('api_base_url', false);
  const include = pattern('include');
  const exclude = pattern('exclude');
  const topics = topicList(item.topics, `${at}.topics`, problems);
  const includeArchived = flag(item.include_archived, `${at}.include_archived`, problems);
  const includeForks = flag(item.include_forks, `${at}.include_forks`, problems);
  const intervalMs = interval(item.interval, `${at}.interval`, problems, []);
  const template = templateOf(item.template, `${at}.template`, problems);
  if (template !== undefined && provider !== undefined && url !== undefined) {
    // The template is checked as the repository item it becomes, with the host standing in for
    // the repository's own url (every url a host gives is checked again when it is found).
    const outcome = buildRepository(
      { ...template, name: 'template', url, provider },
      `${at}.template`,
      defaults,
    );
    problems.push(...outcome.problems);
    warnings.push(...outcome.warnings);
  }
  allProblems.push(...problems);
  if (
    problems.length > 0 ||
    name === undefined ||
    provider === undefined ||
    owner === undefined ||
    url === undefined ||
    template === undefined
  ) {
    return undefined;
  }
  return {
    name,
    provider,
    owner,
    url,
    ...(token === undefined ? {} : { token }),
    ...(apiBaseUrl === undefined ? {} : { apiBaseUrl }),
    ...(include === undefined ? {} : { includePattern: include.source, include: include.regex }),
    ...(exclude === undefined ? {} : { excludePattern: exclude.source, exclude: exclude.regex }),
    topics: topics ?? [],
    includeArchived: includeArchived ?? false,
    includeForks: includeForks ?? false,
    intervalMs: intervalMs ?? DEFAULT_DISCOVERY_INTERVAL_MS,
    template,
    repositoryDefaults: defaults,
  };
}

function topicList(value: unknown, path: string, problems: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((topic) => typeof topic === 'string' && topic !== '')) {
    problems.push(`${path}: must be a list of topic names (got ${showValue(value)})`);
    return undefined;
  }
  return value as string[];
}

function templateOf(
  value: unknown,
  path: string,
  problems: string[],
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: must be a mapping of repository keys (got ${showValue(value)})`);
    return undefined;
  }
  const template = value as Record<string, unknown>;
  let ok = true;
  for (const key of FOUND_KEYS) {
    if (key in template) {
      problems.push(`${path}.${key}: is set for each repository found and cannot be given here`);
      ok = false;
    }
  }
  return ok ? template : undefined;
}
