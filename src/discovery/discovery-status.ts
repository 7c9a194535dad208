import type { DiscoveryConfig } from '../config/config-types.js';
import type { DiscoveryListRecord } from '../storage/discovery-list-record.js';
import { readListedRepositories } from './listed-repository.js';
import type { DiscoveryOverlap, DiscoveryRejection, EntryContribution } from './with-discovered.js';

/** One `discovery` entry as /api/v1/status and `reposentry status` show it. */
export interface DiscoveryEntryStatus {
  readonly name: string;
  readonly provider: DiscoveryConfig['provider'];
  readonly owner: string;
  readonly url: string;
  readonly intervalMs: number;
  /** `pending`: never read yet; `ok`: the last read completed; `failing`: it did not. */
  readonly state: 'pending' | 'ok' | 'failing';
  /** Repositories in the stored list (those one read missed included). */
  readonly listed: number;
  /** Repositories it adds to the watched set. */
  readonly watched: number;
  readonly filteredOut: number;
  readonly lastReadAt?: string;
  /** When this replica reads it next (only on the replica that reads). */
  readonly nextReadAt?: string;
  readonly lastError?: {
    readonly code: string;
    readonly message: string;
    readonly at: string;
    readonly failures: number;
  };
  readonly overlaps: readonly DiscoveryOverlap[];
  readonly rejected: readonly DiscoveryRejection[];
}

export function discoveryStatusOf(input: {
  readonly entry: DiscoveryConfig;
  readonly stored: DiscoveryListRecord | undefined;
  readonly contribution: EntryContribution | undefined;
  readonly nextReadAt: number | undefined;
}): DiscoveryEntryStatus {
  const { entry, stored, contribution } = input;
  const failure = stored?.failure;
  const failing =
    failure !== undefined && (stored?.readAt === undefined || failure.at >= stored.readAt);
  return {
    name: entry.name,
    provider: entry.provider,
    owner: entry.owner,
    url: entry.url,
    intervalMs: entry.intervalMs,
    state: failing ? 'failing' : stored?.readAt === undefined ? 'pending' : 'ok',
    listed: readListedRepositories(stored?.repositories ?? []).length,
    watched: contribution?.watched.length ?? 0,
    filteredOut: contribution?.filteredOut ?? 0,
    ...(stored?.readAt === undefined ? {} : { lastReadAt: new Date(stored.readAt).toISOString() }),
    ...(input.nextReadAt === undefined
      ? {}
      : { nextReadAt: new Date(input.nextReadAt).toISOString() }),
    ...(failing && failure !== undefined
      ? {
          lastError: {
            code: failure.code,
            message: failure.message,
            at: new Date(failure.at).toISOString(),
            failures: failure.count,
          },
        }
      : {}),
    overlaps: contribution?.overlaps ?? [],
    rejected: contribution?.rejected ?? [],
  };
}
