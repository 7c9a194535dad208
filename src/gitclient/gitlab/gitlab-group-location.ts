import type { DiscoverySource } from '../owner-repository-listing.js';
import { parseHostRoot } from '../host-root.js';

/** Where a group's projects are listed, and what messages call the listing. */
export interface GitlabGroupLocation {
  /** What gitbeaker calls `host`: the instance root, e.g. https://gitlab.example.com[/prefix]. */
  readonly instanceUrl: string;
  /** `<instanceUrl>/api/v4`. */
  readonly apiBaseUrl: string;
  /** host[:port] of the API, for rate-limit reports. */
  readonly apiHost: string;
  /** The group's full path, `group/sub`. */
  readonly groupPath: string;
  /** `group group/sub`, in messages. */
  readonly subject: string;
}

/**
 * The API of a discovery source on GitLab, as for a project (see resolveGitlabLocation):
 * `apiBaseUrl` when set, else `<url>/api/v4` (an instance under a path prefix keeps it).
 */
export function resolveGitlabGroupLocation(source: DiscoverySource): GitlabGroupLocation {
  const root = parseHostRoot(source);
  const instanceUrl =
    source.apiBaseUrl !== undefined && source.apiBaseUrl !== ''
      ? source.apiBaseUrl.replace(/\/+$/, '').replace(/\/api\/v4$/, '')
      : `${root.webProtocol}//${root.host}${root.prefix}`;
  const apiBaseUrl = `${instanceUrl}/api/v4`;
  return {
    instanceUrl,
    apiBaseUrl,
    apiHost: new URL(apiBaseUrl).host,
    groupPath: root.owner,
    subject: `group ${root.owner}`,
  };
}
