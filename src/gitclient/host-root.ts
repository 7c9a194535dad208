import { ReposentryError } from '../errors/reposentry-error.js';
import type { DiscoverySource } from './owner-repository-listing.js';

/** The host a discovery source names: `https://gitlab.example.com[/prefix]`, parsed. */
export interface HostRoot {
  readonly webProtocol: 'http:' | 'https:';
  /** host[:port]. */
  readonly host: string;
  /** The path the instance lives under, without a trailing slash; '' at the root. */
  readonly prefix: string;
  /** The owner without leading or trailing slashes (`group/sub` on GitLab). */
  readonly owner: string;
}

/** Reads a source's `url` and `owner`; `config-invalid` when either is unusable. */
export function parseHostRoot(source: Pick<DiscoverySource, 'url' | 'owner'>): HostRoot {
  const owner = source.owner.replace(/^\/+|\/+$/g, '');
  if (owner === '' || owner.split('/').some((part) => part === '' || part === '..')) {
    throw new ReposentryError(
      'config-invalid',
      `Discovery: owner ${JSON.stringify(source.owner)} is not a path`,
    );
  }
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    throw invalid(owner, 'is not a valid URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.host === '') {
    throw invalid(owner, 'must be an http(s) URL of the host');
  }
  return {
    webProtocol: url.protocol,
    host: url.host,
    prefix: url.pathname.replace(/\/+$/, ''),
    owner,
  };
}

function invalid(owner: string, why: string): ReposentryError {
  return new ReposentryError('config-invalid', `Discovery of ${owner}: url ${why}`);
}
