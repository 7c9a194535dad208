import { describe, expect, it } from 'vitest';
import {
  decodeOwnerPage,
  encodeOwnerPage,
  parseGithubOwnerRepository,
} from './github-repository-shapes.js';

/** An entry of GET /orgs/{org}/repos, trimmed from GitHub's documented example. */
const entry = {
  id: 1296269,
  name: 'Hello-World',
  full_name: 'octocat/Hello-World',
  private: false,
  owner: { login: 'octocat', id: 1, type: 'User' },
  html_url: 'https://github.com/octocat/Hello-World',
  fork: false,
  clone_url: 'https://github.com/octocat/Hello-World.git',
  archived: false,
  disabled: false,
  topics: ['octocat', 'atom', 'electron', 'api'],
  visibility: 'public',
  default_branch: 'master',
  pushed_at: '2011-01-26T19:06:43Z',
};

describe('parseGithubOwnerRepository', () => {
  it('reads the fields discovery needs', () => {
    expect(parseGithubOwnerRepository(entry)).toEqual({
      path: 'octocat/Hello-World',
      cloneUrl: 'https://github.com/octocat/Hello-World.git',
      webUrl: 'https://github.com/octocat/Hello-World',
      defaultBranch: 'master',
      archived: false,
      fork: false,
      topics: ['octocat', 'atom', 'electron', 'api'],
      private: false,
      visibility: 'public',
    });
  });

  it('reads an older GitHub Enterprise entry without topics, archived or visibility', () => {
    const { topics: _t, archived: _a, visibility: _v, ...old } = entry;
    expect(parseGithubOwnerRepository({ ...old, private: true })).toMatchObject({
      topics: [],
      archived: false,
      private: true,
    });
    expect(parseGithubOwnerRepository(old)).not.toHaveProperty('visibility');
  });

  it('refuses what is not a repository entry', () => {
    expect(parseGithubOwnerRepository({ ...entry, full_name: 'Hello-World' })).toBeUndefined();
    expect(parseGithubOwnerRepository({ ...entry, clone_url: null })).toBeUndefined();
    expect(parseGithubOwnerRepository({ ...entry, topics: [1] })).toBeUndefined();
    expect(parseGithubOwnerRepository({ ...entry, fork: 'no' })).toBeUndefined();
    expect(parseGithubOwnerRepository([entry])).toBeUndefined();
  });
});

describe('encodeOwnerPage / decodeOwnerPage', () => {
  it('keeps a page and its ETag, and refuses a body it cannot read', () => {
    const repository = parseGithubOwnerRepository(entry);
    if (repository === undefined) throw new Error('entry not read');
    const page = { repositories: [repository], next: true };
    expect(decodeOwnerPage(encodeOwnerPage('W/"abc"', page))).toEqual({ etag: 'W/"abc"', page });
    expect(decodeOwnerPage({ etag: 'W/"abc"', body: '{"v":2}' })).toBeUndefined();
    expect(
      decodeOwnerPage({ etag: 'W/"abc"', body: '{"v":1,"next":false,"repos":[{}]}' }),
    ).toBeUndefined();
    expect(decodeOwnerPage({ etag: '', body: '{}' })).toBeUndefined();
  });
});
