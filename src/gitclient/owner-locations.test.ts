import { describe, expect, it } from 'vitest';
import { resolveGithubOwnerLocation } from './github/github-owner-location.js';
import { resolveGitlabGroupLocation } from './gitlab/gitlab-group-location.js';
import { discoveryCacheKey, type DiscoverySource } from './owner-repository-listing.js';

const github = (url: string, extra: Partial<DiscoverySource> = {}): DiscoverySource => ({
  provider: 'github',
  owner: 'acme',
  url,
  ...extra,
});
const gitlab = (url: string, extra: Partial<DiscoverySource> = {}): DiscoverySource => ({
  provider: 'gitlab',
  owner: 'group/sub/',
  url,
  ...extra,
});

describe('resolveGithubOwnerLocation', () => {
  it('uses api.github.com for github.com, /api/v3 for an Enterprise host, api_base_url when set', () => {
    expect(resolveGithubOwnerLocation(github('https://github.com'))).toEqual({
      owner: 'acme',
      apiBaseUrl: 'https://api.github.com',
      apiHost: 'api.github.com',
      subject: 'owner acme',
    });
    expect(resolveGithubOwnerLocation(github('https://ghe.example.com:8443/')).apiBaseUrl).toBe(
      'https://ghe.example.com:8443/api/v3',
    );
    const configured = github('https://ghe.example.com', { apiBaseUrl: 'https://api.ghe/x/' });
    expect(resolveGithubOwnerLocation(configured).apiBaseUrl).toBe('https://api.ghe/x');
  });

  it('refuses a url that is not http(s), and an empty owner, as config-invalid', () => {
    expect(() => resolveGithubOwnerLocation(github('git@github.com:acme'))).toThrow(
      expect.objectContaining({ code: 'config-invalid' }),
    );
    expect(() => resolveGithubOwnerLocation(github('https://github.com', { owner: '/' }))).toThrow(
      expect.objectContaining({ code: 'config-invalid' }),
    );
  });
});

describe('resolveGitlabGroupLocation', () => {
  it('derives <url>/api/v4 (keeping a path prefix), or takes api_base_url', () => {
    expect(resolveGitlabGroupLocation(gitlab('https://gitlab.example.com/gitlab/'))).toEqual({
      instanceUrl: 'https://gitlab.example.com/gitlab',
      apiBaseUrl: 'https://gitlab.example.com/gitlab/api/v4',
      apiHost: 'gitlab.example.com',
      groupPath: 'group/sub',
      subject: 'group group/sub',
    });
    const configured = gitlab('https://gitlab.com', { apiBaseUrl: 'https://gl.internal/api/v4/' });
    expect(resolveGitlabGroupLocation(configured).instanceUrl).toBe('https://gl.internal');
  });
});

describe('discoveryCacheKey', () => {
  it('names provider, host and owner in lower case', () => {
    expect(discoveryCacheKey(github('https://GitHub.com', { owner: 'Acme' }))).toBe(
      'discovery:github:github.com/acme',
    );
    expect(discoveryCacheKey(gitlab('https://gitlab.example.com:8443'))).toBe(
      'discovery:gitlab:gitlab.example.com:8443/group/sub',
    );
  });
});
