import type { DiscoveryConfig } from '../config/config-types.js';
import type { DiscoverySource } from '../gitclient/owner-repository-listing.js';

/** Whose repositories an entry lists, and with which credentials. */
export function sourceOf(entry: DiscoveryConfig): DiscoverySource {
  return {
    provider: entry.provider,
    owner: entry.owner,
    url: entry.url,
    ...(entry.apiBaseUrl === undefined ? {} : { apiBaseUrl: entry.apiBaseUrl }),
    ...(entry.token === undefined ? {} : { token: entry.token }),
  };
}
