import { describe, expect, it } from 'vitest';
import type { RepositoryConfig } from '../../config/config-types.js';
import { resolveGithubLocation } from './github-location.js';

const repo = (url: string, apiBaseUrl?: string): RepositoryConfig => ({
  name: 'app',
  url,
  provider: 'github',
  branchPattern: '.*',
  branchRegex: /.*/,
  pollingIntervalMs: 60_000,
  enabled: true,
  eventListenerUrl: 'http://el',
  payloadFormat: 'github',
  ...(apiBaseUrl === undefined ? {} : { apiBaseUrl }),
});

describe('resolveGithubLocation', () => {
  it('uses https://api.github.com for github.com', () => {
    expect(resolveGithubLocation(repo('https://github.com/org/app.git'))).toEqual({
      owner: 'org',
      repo: 'app',
      apiBaseUrl: 'https://api.github.com',
      apiHost: 'api.github.com',
    });
  });

  it('derives <scheme>://<host>/api/v3 for GitHub Enterprise, keeping the port', () => {
    expect(resolveGithubLocation(repo('https://ghe.example.com:8443/org/app')).apiBaseUrl).toBe(
      'https://ghe.example.com:8443/api/v3',
    );
    expect(resolveGithubLocation(repo('http://10.0.0.5/org/app/')).apiBaseUrl).toBe(
      'http://10.0.0.5/api/v3',
    );
  });

  it('derives from ssh and scp-like URLs with https', () => {
    expect(resolveGithubLocation(repo('git@github.com:org/app.git')).apiBaseUrl).toBe(
      'https://api.github.com',
    );
    expect(resolveGithubLocation(repo('ssh://git@ghe.example.com:2222/org/app.git'))).toMatchObject(
      {
        owner: 'org',
        repo: 'app',
        apiBaseUrl: 'https://ghe.example.com/api/v3',
      },
    );
  });

  it('prefers a configured api_base_url', () => {
    expect(
      resolveGithubLocation(repo('https://github.com/org/app', 'https://proxy.example/gh/'))
        .apiBaseUrl,
    ).toBe('https://proxy.example/gh');
  });

  it('rejects a URL without owner/name as config-invalid', () => {
    expect(() => resolveGithubLocation(repo('https://github.com/org'))).toThrow(
      expect.objectContaining({ code: 'config-invalid' }),
    );
  });
});
