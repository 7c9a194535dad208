import type { DiscoverySource } from '../owner-repository-listing.js';
import { parseHostRoot } from '../host-root.js';
import { deriveGithubApiBaseUrl } from './github-location.js';

/** Where an owner's repositories are listed, and what messages call the listing. */
export interface GithubOwnerLocation {
  readonly owner: string;
  /** REST API root without trailing slash, e.g. https://api.github.com or https://ghe/api/v3. */
  readonly apiBaseUrl: string;
  /** host[:port] of the API, for rate-limit reports. */
  readonly apiHost: string;
  /** `owner acme`, in messages. */
  readonly subject: string;
}

/**
 * The API of a discovery source on GitHub, derived like a repository's (see
 * resolveGithubLocation): `apiBaseUrl` when set, https://api.github.com for github.com,
 * `<scheme>://<host>/api/v3` for GitHub Enterprise Server.
 */
export function resolveGithubOwnerLocation(source: DiscoverySource): GithubOwnerLocation {
  const root = parseHostRoot(source);
  const apiBaseUrl = deriveGithubApiBaseUrl(root.webProtocol, root.host, source.apiBaseUrl);
  return {
    owner: root.owner,
    apiBaseUrl,
    apiHost: new URL(apiBaseUrl).host,
    subject: `owner ${root.owner}`,
  };
}
