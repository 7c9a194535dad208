import { describe, expect, it } from 'vitest';
import { repositoryCoordinatesOf } from './repository-coordinates.js';

describe('repositoryCoordinatesOf', () => {
  it('derives owner, name and links of a github.com repository', () => {
    expect(repositoryCoordinatesOf('https://github.com/org/my-app', true)).toEqual({
      host: 'github.com',
      namespace: 'org',
      name: 'my-app',
      fullName: 'org/my-app',
      url: 'https://github.com/org/my-app',
      uri: 'https://github.com/org/my-app',
      cloneUrl: 'https://github.com/org/my-app.git',
      webUrl: 'https://github.com/org/my-app',
      hasWebUrl: true,
      sshUrl: 'git@github.com:org/my-app.git',
    });
  });

  it('keeps GitLab subgroups in the namespace and drops .git and trailing slashes', () => {
    const coords = repositoryCoordinatesOf('https://gitlab.example.com/group/sub/tool.git/', true);
    expect(coords.namespace).toBe('group/sub');
    expect(coords.name).toBe('tool');
    expect(coords.fullName).toBe('group/sub/tool');
    expect(coords.cloneUrl).toBe('https://gitlab.example.com/group/sub/tool.git');
    expect(coords.webUrl).toBe('https://gitlab.example.com/group/sub/tool');
    expect(coords.sshUrl).toBe('git@gitlab.example.com:group/sub/tool.git');
  });

  it('never carries credentials from the URL into any field', () => {
    const coords = repositoryCoordinatesOf('https://bot:s3cr3t-pass@github.com/org/app.git', true);
    expect(JSON.stringify(coords)).not.toContain('s3cr3t-pass');
    expect(JSON.stringify(coords)).not.toContain('bot:');
    expect(coords.url).toBe('https://github.com/org/app.git');
  });

  it('reads scp-like remotes and writes them as ssh:// URIs where a URI is required', () => {
    const coords = repositoryCoordinatesOf('git@git.example.com:team/service.git', false);
    expect(coords).toMatchObject({
      host: 'git.example.com',
      namespace: 'team',
      name: 'service',
      fullName: 'team/service',
      url: 'git@git.example.com:team/service.git',
      uri: 'ssh://git@git.example.com/team/service.git',
      cloneUrl: 'git@git.example.com:team/service.git',
      sshUrl: 'git@git.example.com:team/service.git',
      hasWebUrl: false,
    });
  });

  it('names a file:// repository after its directory and does not invent web or ssh URLs', () => {
    const coords = repositoryCoordinatesOf('file:///srv/git/origin.git', false);
    expect(coords).toMatchObject({
      host: '',
      namespace: 'git',
      name: 'origin',
      fullName: 'git/origin',
      cloneUrl: 'file:///srv/git/origin.git',
      webUrl: 'file:///srv/git/origin.git',
      hasWebUrl: false,
    });
    expect(coords.sshUrl).toBeUndefined();
  });

  it('accepts a plain filesystem path', () => {
    const coords = repositoryCoordinatesOf('/tmp/demo/repo.git', false);
    expect(coords.fullName).toBe('demo/repo');
    expect(coords.uri).toBe('file:///tmp/demo/repo.git');
  });

  it('does not guess an SSH URL for a plain git remote over https', () => {
    const coords = repositoryCoordinatesOf('https://git.example.com/repo.git', false);
    expect(coords.sshUrl).toBeUndefined();
    expect(coords.namespace).toBe('git.example.com');
    expect(coords.fullName).toBe('git.example.com/repo');
  });
});
