import type { RepositoryConfig } from '../../config/config-types.js';
import { ReposentryError } from '../../errors/reposentry-error.js';
import { parseRepositoryUrl } from '../repository-url.js';

export interface GithubLocation {
  readonly owner: string;
  readonly repo: string;
  /** REST API root without trailing slash, e.g. https://api.github.com or https://ghe/api/v3. */
  readonly apiBaseUrl: string;
  /** host[:port] of the API, for rate-limit reports. */
  readonly apiHost: string;
}

/**
 * Where a GitHub repository's API lives: `api_base_url` when configured, https://api.github.com
 * for github.com, `<scheme>://<host>/api/v3` for any other host (GitHub Enterprise Server).
 */
export function resolveGithubLocation(repo: RepositoryConfig): GithubLocation {
  const url = parseRepositoryUrl(repo.url, repo.name);
  const [owner, name] = url.segments;
  if (owner === undefined || name === undefined) {
    throw new ReposentryError(
      'config-invalid',
      `Repository ${repo.name}: url has no owner/name path`,
    );
  }
  const apiBaseUrl = deriveGithubApiBaseUrl(url.webProtocol, url.host, repo.apiBaseUrl);
  return { owner, repo: name, apiBaseUrl, apiHost: new URL(apiBaseUrl).host };
}

export function deriveGithubApiBaseUrl(
  protocol: 'http:' | 'https:',
  host: string,
  configured: string | undefined,
): string {
  if (configured !== undefined && configured !== '') return configured.replace(/\/+$/, '');
  const bare = host.toLowerCase();
  if (bare === 'github.com' || bare === 'www.github.com') return 'https://api.github.com';
  return `${protocol}//${host}/api/v3`;
}
