import type { RepositoryConfig } from '../../config/config-types.js';
import { parseRepositoryUrl } from '../repository-url.js';

export interface GitlabLocation {
  /** What gitbeaker calls `host`: the instance root, e.g. https://gitlab.example.com[/prefix]. */
  readonly instanceUrl: string;
  /** `<instanceUrl>/api/v4`. */
  readonly apiBaseUrl: string;
  /** host[:port] of the API, for rate-limit reports. */
  readonly apiHost: string;
  /** `group/sub/project`: subgroups kept, `.git` stripped. */
  readonly projectPath: string;
}

/**
 * Where a GitLab project's API lives: `api_base_url` when configured (an instance under a path
 * prefix needs it), else `<scheme>://<host>/api/v4` derived from the repository URL.
 */
export function resolveGitlabLocation(repo: RepositoryConfig): GitlabLocation {
  const url = parseRepositoryUrl(repo.url, repo.name);
  let instanceUrl = `${url.webProtocol}//${url.host}`;
  let segments = [...url.segments];
  if (repo.apiBaseUrl !== undefined && repo.apiBaseUrl !== '') {
    instanceUrl = repo.apiBaseUrl.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
    const prefix = new URL(instanceUrl).pathname.split('/').filter((s) => s !== '');
    if (prefix.length > 0 && prefix.every((part, i) => segments[i] === part)) {
      segments = segments.slice(prefix.length);
    }
  }
  const apiBaseUrl = `${instanceUrl}/api/v4`;
  return {
    instanceUrl,
    apiBaseUrl,
    apiHost: new URL(apiBaseUrl).host,
    projectPath: segments.join('/'),
  };
}
