import { describe, expect, it } from 'vitest';
import { parseGitlabGroupProject } from './gitlab-project-shapes.js';

/** An entry of GET /groups/:id/projects, trimmed from GitLab's documented example. */
const entry = {
  id: 9,
  name: 'Foobar Group',
  path: 'foobar',
  path_with_namespace: 'foo/sub/foobar',
  default_branch: 'main',
  tag_list: ['ci'],
  topics: ['ci'],
  http_url_to_repo: 'https://gitlab.example.com/foo/sub/foobar.git',
  web_url: 'https://gitlab.example.com/foo/sub/foobar',
  namespace: { id: 5, name: 'sub', path: 'sub', kind: 'group', full_path: 'foo/sub' },
  archived: false,
  visibility: 'internal',
};

describe('parseGitlabGroupProject', () => {
  it('reads the fields discovery needs', () => {
    expect(parseGitlabGroupProject(entry)).toEqual({
      path: 'foo/sub/foobar',
      cloneUrl: 'https://gitlab.example.com/foo/sub/foobar.git',
      webUrl: 'https://gitlab.example.com/foo/sub/foobar',
      defaultBranch: 'main',
      archived: false,
      fork: false,
      topics: ['ci'],
      private: true,
      visibility: 'internal',
    });
  });

  it('tells a fork by forked_from_project, and an empty project by its null default branch', () => {
    const fork = { ...entry, forked_from_project: { id: 1, path_with_namespace: 'up/lib' } };
    expect(parseGitlabGroupProject(fork)).toMatchObject({ fork: true });
    expect(parseGitlabGroupProject({ ...entry, default_branch: null })).not.toHaveProperty(
      'defaultBranch',
    );
  });

  it('takes tag_list when topics is missing (before GitLab 14.5)', () => {
    const { topics: _t, ...old } = entry;
    expect(parseGitlabGroupProject({ ...old, tag_list: ['legacy'] })).toMatchObject({
      topics: ['legacy'],
    });
  });

  it('refuses what is not a project entry', () => {
    expect(parseGitlabGroupProject({ ...entry, path_with_namespace: 'foobar' })).toBeUndefined();
    expect(parseGitlabGroupProject({ ...entry, http_url_to_repo: 1 })).toBeUndefined();
    expect(parseGitlabGroupProject({ ...entry, topics: 'ci' })).toBeUndefined();
    expect(parseGitlabGroupProject(null)).toBeUndefined();
  });
});
