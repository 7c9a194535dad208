import type { Config } from '../config/config-types.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { DiscoveredRepository } from '../gitclient/discovered-repository.js';
import { storedListOf } from './stored-lists.js';
import type { DiscoveryListRecord } from '../storage/discovery-list-record.js';
import { nextListing, readListedRepositories, type ListedRepository } from './listed-repository.js';
import {
  withDiscovered,
  type DiscoveryOverlap,
  type DiscoveryRejection,
} from './with-discovered.js';

/** What `reposentry discover` shows for one entry. */
export interface EntryPreview {
  readonly name: string;
  readonly provider: string;
  readonly owner: string;
  readonly url: string;
  /** Set when the list could not be read now (then nothing would change). */
  readonly error?: { readonly code: string; readonly message: string };
  /** Repositories the host lists now. */
  readonly listed: number;
  /** What the entry would watch after this read. */
  readonly watched: readonly string[];
  readonly filteredOut: number;
  /** Watched after this read, not watched as stored. */
  readonly add: readonly string[];
  /** Watched as stored, not after this read (a second read in a row missed them). */
  readonly drop: readonly string[];
  /** Watched, but missed by this read only: kept until the next read agrees. */
  readonly missingOnce: readonly string[];
  readonly overlaps: readonly DiscoveryOverlap[];
  readonly rejected: readonly DiscoveryRejection[];
}

/**
 * What each entry finds now (`reads`: the repositories listed, or why the read failed) and what
 * that would change against the stored lists, as the daemon would store it. Pure.
 */
export function previewDiscovery(
  config: Config,
  stored: readonly DiscoveryListRecord[],
  reads: ReadonlyMap<string, readonly DiscoveredRepository[] | { readonly error: unknown }>,
): EntryPreview[] {
  const before = new Map<string, ListedRepository[]>();
  const after = new Map<string, ListedRepository[]>();
  const missing = new Map<string, string[]>();
  const byEntry = new Map(stored.map((list) => [list.entry, list]));
  for (const entry of config.discovery) {
    const list = storedListOf(entry, byEntry, config.discovery);
    const previous = list === undefined ? [] : readListedRepositories(list.repositories);
    before.set(entry.name, previous);
    const read = reads.get(entry.name);
    if (read === undefined || !Array.isArray(read)) {
      after.set(entry.name, previous);
      continue;
    }
    const next = nextListing(previous, read as readonly DiscoveredRepository[]);
    after.set(entry.name, next.repositories);
    missing.set(entry.name, next.missing);
  }
  const was = withDiscovered(config, before).entries;
  const will = withDiscovered(config, after).entries;
  return config.discovery.map((entry) => {
    const read = reads.get(entry.name);
    const failed =
      read !== undefined && !Array.isArray(read) ? (read as { error: unknown }) : undefined;
    const old = new Set(was.get(entry.name)?.watched ?? []);
    const now = will.get(entry.name);
    const watched = now?.watched ?? [];
    const kept = new Set(watched);
    return {
      name: entry.name,
      provider: entry.provider,
      owner: entry.owner,
      url: entry.url,
      ...(failed === undefined
        ? {}
        : { error: { code: errorCodeOf(failed.error), message: errorMessageOf(failed.error) } }),
      listed: Array.isArray(read) ? read.length : 0,
      watched,
      filteredOut: now?.filteredOut ?? 0,
      add: watched.filter((name) => !old.has(name)),
      drop: [...old].filter((name) => !kept.has(name)),
      missingOnce: (missing.get(entry.name) ?? []).filter((name) => old.has(name)),
      overlaps: now?.overlaps ?? [],
      rejected: now?.rejected ?? [],
    };
  });
}
