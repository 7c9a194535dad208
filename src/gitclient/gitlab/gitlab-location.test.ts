import { describe, expect, it } from 'vitest';
import type { RepositoryConfig } from '../../config/config-types.js';
import { resolveGitlabLocation } from './gitlab-location.js';

const repo = (url: string, apiBaseUrl?: string): RepositoryConfig => ({
  name: 'app',
  url,
  provider: 'gitlab',
  branchPattern: '.*',
  branchRegex: /.*/,
  pollingIntervalMs: 60_000,
  enabled: true,
  eventListenerUrl: 'http://el',
  payloadFormat: 'gitlab',
  ...(apiBaseUrl === undefined ? {} : { apiBaseUrl }),
});

describe('resolveGitlabLocation', () => {
  it('keeps subgroups and strips .git', () => {
    expect(
      resolveGitlabLocation(repo('https://gitlab.example.com/group/sub/deeper/app.git')),
    ).toEqual({
      instanceUrl: 'https://gitlab.example.com',
      apiBaseUrl: 'https://gitlab.example.com/api/v4',
      apiHost: 'gitlab.example.com',
      projectPath: 'group/sub/deeper/app',
    });
  });

  it('derives the API of a self-hosted instance from the repository URL, port included', () => {
    expect(resolveGitlabLocation(repo('http://git.internal:8080/team/app')).apiBaseUrl).toBe(
      'http://git.internal:8080/api/v4',
    );
    expect(resolveGitlabLocation(repo('git@gitlab.com:group/app.git')).apiBaseUrl).toBe(
      'https://gitlab.com/api/v4',
    );
  });

  it('strips the path prefix of an instance given by api_base_url', () => {
    expect(
      resolveGitlabLocation(
        repo('https://host.example/gitlab/group/app.git', 'https://host.example/gitlab/api/v4/'),
      ),
    ).toMatchObject({ instanceUrl: 'https://host.example/gitlab', projectPath: 'group/app' });
  });
});
