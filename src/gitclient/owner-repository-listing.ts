import type { DiscoveredRepository } from './discovered-repository.js';
import type { RefCost } from './git-client.js';

import type { DiscoveryProvider } from '../config/config-types.js';

export { DISCOVERY_PROVIDERS, type DiscoveryProvider } from '../config/config-types.js';

/** Whose repositories to list, and where (a `discovery` entry's host side). */
export interface DiscoverySource {
  readonly provider: DiscoveryProvider;
  /** GitHub organization or user; GitLab group full path (`group/sub`). */
  readonly owner: string;
  /** The host root: https://github.com, a GitHub Enterprise host, https://gitlab.com, ... */
  readonly url: string;
  /** Overrides the API root derived from `url`, as a repository's `api_base_url` does. */
  readonly apiBaseUrl?: string;
  readonly token?: string;
}

export interface ListOwnerRepositoriesOptions {
  readonly signal: AbortSignal;
  /** The time the whole listing may take (every page, rate-limit waits included). */
  readonly timeoutMs: number;
}

/**
 * Every repository of an owner, from a complete read of every page (a read that cannot finish
 * throws instead: a partial list is never returned).
 */
export interface OwnerRepositoryListing {
  /** Sorted by path; archived ones and forks included (see filterDiscovered). */
  readonly repositories: readonly DiscoveredRepository[];
  /**
   * True when every page was answered 304 Not Modified (GitHub): the list is the one read last
   * time. Always false on GitLab, which has no conditional requests for this list.
   */
  readonly unchanged: boolean;
  readonly cost: RefCost;
}

/**
 * The HttpCache "repository" a source's pages are kept under: `discovery:<provider>:<host>/<owner>`
 * (host and owner in lower case). No configured repository name starts like that in practice;
 * clear it when the source leaves the config.
 */
export function discoveryCacheKey(
  source: Pick<DiscoverySource, 'provider' | 'owner' | 'url'>,
): string {
  let host: string;
  try {
    host = new URL(source.url).host;
  } catch {
    host = source.url;
  }
  const owner = source.owner.replace(/^\/+|\/+$/g, '');
  return `discovery:${source.provider}:${host.toLowerCase()}/${owner.toLowerCase()}`;
}
