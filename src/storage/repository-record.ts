import type { Provider } from '../config/config-types.js';
import { selectList } from './select-list.js';
import type { EpochMs } from './storage-types.js';

export interface RepositoryRecord {
  readonly name: string;
  readonly provider: Provider;
  readonly url: string;
  /** When this repository (at this url) started being watched. */
  readonly firstSeenAt: EpochMs;
  /** The last time a loaded config listed this repository. */
  readonly lastSeenInConfigAt: EpochMs;
}

/** What `syncFromConfig` changed, by repository name. */
export interface RepositorySync {
  /** Not watched before: their first poll is a baseline. */
  readonly added: readonly string[];
  /** Watched before at another url or provider: state forgotten, the next poll is a baseline. */
  readonly repointed: readonly string[];
  /** No longer watched: row, ref state, poll state and HTTP cache forgotten. */
  readonly removed: readonly string[];
}

export type TrackResult = 'added' | 'repointed' | 'kept';

/** Select list for `RepositoryRecord` from the repositories table aliased `alias`. */
export function repositoryColumns(alias: string): string {
  return selectList(alias, [
    'name',
    'provider',
    'url',
    'first_seen_at AS firstSeenAt',
    'last_seen_in_config_at AS lastSeenInConfigAt',
  ]);
}
