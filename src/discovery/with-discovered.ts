import { buildRepository } from '../config/build-repository.js';
import type { Config, DiscoveryConfig, RepositoryConfig } from '../config/config-types.js';
import type { DiscoveredRepository } from '../gitclient/discovered-repository.js';
import { filterDiscovered } from '../gitclient/filter-discovered.js';
import { repositoryKeyOf } from '../lib/repository-key.js';
import type { ListedRepository } from './listed-repository.js';

/** A repository an entry found but does not watch, because another has it. */
export interface DiscoveryOverlap {
  /** The path the host gave (`owner/repo`). */
  readonly path: string;
  /** Who watches it instead: `repositories` (listed by hand) or `discovery/<entry>`. */
  readonly watchedBy: string;
  /** `url`: the same repository; `name`: another repository already has this name. */
  readonly reason: 'url' | 'name';
}

/** A repository an entry found whose settings are not valid (e.g. an http url under require_https). */
export interface DiscoveryRejection {
  readonly path: string;
  readonly problems: readonly string[];
}

/** What one entry contributes to the watched repositories. */
export interface EntryContribution {
  /** Names of the repositories it adds, in path order. */
  readonly watched: readonly string[];
  /** Listed by the host but left out by the entry's filters (archived, forks, topics, regexes). */
  readonly filteredOut: number;
  readonly overlaps: readonly DiscoveryOverlap[];
  readonly rejected: readonly DiscoveryRejection[];
}

export interface DiscoveredConfig {
  /** The config with every repository found appended to `repositories`. */
  readonly config: Config;
  readonly entries: ReadonlyMap<string, EntryContribution>;
}

/**
 * The config the daemon runs: the repositories listed by hand, then, entry by entry, each stored
 * list's repositories that pass the entry's filters, named by their path and set up from the
 * entry's template. A url listed by hand wins; of two entries that find one repository, the
 * first wins. Pure.
 */
export function withDiscovered(
  config: Config,
  lists: ReadonlyMap<string, readonly ListedRepository[]>,
): DiscoveredConfig {
  const byUrl = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const repository of config.repositories) {
    const key = repositoryKeyOf(repository.url);
    if (key !== undefined && !byUrl.has(key)) byUrl.set(key, 'repositories');
    byName.set(repository.name, 'repositories');
  }
  const found: RepositoryConfig[] = [];
  const entries = new Map<string, EntryContribution>();
  config.discovery.forEach((entry, index) => {
    const listed = lists.get(entry.name) ?? [];
    const kept = filterDiscovered(listed, entry);
    const source = `discovery/${entry.name}`;
    const watched: string[] = [];
    const overlaps: DiscoveryOverlap[] = [];
    const rejected: DiscoveryRejection[] = [];
    for (const repository of kept) {
      const key = repositoryKeyOf(repository.cloneUrl);
      const sameUrl = key === undefined ? undefined : byUrl.get(key);
      if (sameUrl !== undefined) {
        overlaps.push({ path: repository.path, watchedBy: sameUrl, reason: 'url' });
        continue;
      }
      const sameName = byName.get(repository.path);
      if (sameName !== undefined) {
        overlaps.push({ path: repository.path, watchedBy: sameName, reason: 'name' });
        continue;
      }
      const outcome = buildRepository(
        itemFor(entry, repository),
        `discovery[${index}] ${repository.path}`,
        entry.repositoryDefaults,
        source,
      );
      if (outcome.repository === undefined) {
        rejected.push({ path: repository.path, problems: outcome.problems });
        continue;
      }
      if (key !== undefined) byUrl.set(key, source);
      byName.set(repository.path, source);
      found.push(outcome.repository);
      watched.push(repository.path);
    }
    entries.set(entry.name, {
      watched,
      filteredOut: listed.length - kept.length,
      overlaps,
      rejected,
    });
  });
  if (found.length === 0 && config.discovery.length === 0) return { config, entries };
  return {
    config: Object.freeze({
      ...config,
      repositories: Object.freeze([...config.repositories, ...found.map(freezeRepository)]),
    }),
    entries,
  };
}

/** The repository item a found repository stands for: the template, then what the host gave. */
function itemFor(
  entry: DiscoveryConfig,
  repository: DiscoveredRepository,
): Record<string, unknown> {
  return {
    ...(entry.token === undefined ? {} : { token: entry.token }),
    ...(entry.apiBaseUrl === undefined ? {} : { api_base_url: entry.apiBaseUrl }),
    ...entry.template,
    name: repository.path,
    url: repository.cloneUrl,
    provider: entry.provider,
  };
}

function freezeRepository(repository: RepositoryConfig): RepositoryConfig {
  if (repository.pullRequests !== undefined) Object.freeze(repository.pullRequests);
  return Object.freeze(repository);
}
