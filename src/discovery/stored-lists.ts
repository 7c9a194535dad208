import type { Config, DiscoveryConfig } from '../config/config-types.js';
import { discoveryCacheKey } from '../gitclient/owner-repository-listing.js';
import type { DiscoveryListRecord } from '../storage/discovery-list-record.js';
import { readListedRepositories, type ListedRepository } from './listed-repository.js';
import { withDiscovered } from './with-discovered.js';

/**
 * The stored list of an entry when it is the list of the entry's current owner; for an entry
 * without one, the list of an entry no longer configured with the same owner (a renamed entry
 * keeps what it found until its first read stores it under the new name).
 */
export function storedListOf(
  entry: DiscoveryConfig,
  stored: ReadonlyMap<string, DiscoveryListRecord>,
  configured: readonly DiscoveryConfig[],
): DiscoveryListRecord | undefined {
  const key = discoveryCacheKey(entry);
  const own = stored.get(entry.name);
  if (own !== undefined) return own.sourceKey === key ? own : undefined;
  const names = new Set(configured.map((e) => e.name));
  return [...stored.values()].find((list) => list.sourceKey === key && !names.has(list.entry));
}

/** Each entry's repositories as stored (entries without a list are absent). */
export function listedOf(
  config: Config,
  stored: ReadonlyMap<string, DiscoveryListRecord>,
): Map<string, readonly ListedRepository[]> {
  const lists = new Map<string, readonly ListedRepository[]>();
  for (const entry of config.discovery) {
    const list = storedListOf(entry, stored, config.discovery);
    if (list !== undefined) lists.set(entry.name, readListedRepositories(list.repositories));
  }
  return lists;
}

/**
 * The config a one-shot command runs: the file's, with the repositories the stored lists hold,
 * as the daemon runs it (so a command never drops or misses a discovered repository).
 */
export async function withStoredDiscovered(
  config: Config,
  lists: { list(): Promise<DiscoveryListRecord[]> },
): Promise<Config> {
  if (config.discovery.length === 0) return config;
  const stored = new Map((await lists.list()).map((list) => [list.entry, list]));
  return withDiscovered(config, listedOf(config, stored)).config;
}
