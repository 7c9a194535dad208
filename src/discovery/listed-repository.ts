import {
  readDiscoveredRepository,
  type DiscoveredRepository,
} from '../gitclient/discovered-repository.js';

/** A repository of a stored discovery list: as the host last listed it, and reads it was missing. */
export interface ListedRepository extends DiscoveredRepository {
  /** Complete reads in a row that did not list it (0: the last one did). */
  readonly missedReads: number;
}

/**
 * A repository is dropped when this many complete reads in a row did not list it. A host's pages
 * are not a snapshot: a repository created or deleted while they are read shifts the rest, so one
 * read can miss a repository that exists; two in a row, an interval apart, do not.
 */
export const MISSED_READS_TO_DROP = 2;

/** The repositories of a stored list (entries that are not one, from a newer version, skipped). */
export function readListedRepositories(stored: readonly unknown[]): ListedRepository[] {
  const listed: ListedRepository[] = [];
  for (const value of stored) {
    const repository = readDiscoveredRepository(value);
    if (repository === undefined) continue;
    const missed = (value as { missedReads?: unknown }).missedReads;
    listed.push({
      ...repository,
      missedReads:
        typeof missed === 'number' && Number.isInteger(missed) && missed > 0 ? missed : 0,
    });
  }
  return listed;
}

export interface NextListing {
  readonly repositories: ListedRepository[];
  /** Paths listed now that the stored list lacked. */
  readonly added: string[];
  /** Paths missing from MISSED_READS_TO_DROP complete reads in a row: no longer listed. */
  readonly dropped: string[];
  /** Paths missing from this read only: kept until the next read agrees. */
  readonly missing: string[];
}

/** The stored list after one more complete read (`read`: every repository the host listed). */
export function nextListing(
  previous: readonly ListedRepository[],
  read: readonly DiscoveredRepository[],
): NextListing {
  const now = new Map(read.map((repository) => [repository.path, repository]));
  const before = new Set(previous.map((repository) => repository.path));
  const repositories: ListedRepository[] = [...now.values()].map((repository) => ({
    ...repository,
    missedReads: 0,
  }));
  const dropped: string[] = [];
  const missing: string[] = [];
  for (const repository of previous) {
    if (now.has(repository.path)) continue;
    const missedReads = repository.missedReads + 1;
    if (missedReads >= MISSED_READS_TO_DROP) {
      dropped.push(repository.path);
    } else {
      missing.push(repository.path);
      repositories.push({ ...repository, missedReads });
    }
  }
  repositories.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const added = [...now.keys()].filter((path) => !before.has(path));
  return { repositories, added, dropped, missing };
}
