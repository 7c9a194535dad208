import { describe, expect, it } from 'vitest';
import { gitVersionAtLeast, parseGitVersion } from './parse-git-version.js';

describe('parseGitVersion', () => {
  it.each([
    ['git version 2.39.5\n', { major: 2, minor: 39, patch: 5 }],
    ['git version 2.31.0', { major: 2, minor: 31, patch: 0 }],
    ['git version 2.30.1.windows.1\n', { major: 2, minor: 30, patch: 1 }],
    ['git version 2.20.1 (Apple Git-117)\n', { major: 2, minor: 20, patch: 1 }],
    ['git version 2.31.0.rc1', { major: 2, minor: 31, patch: 0 }],
    ['git version 2.45.GIT', { major: 2, minor: 45, patch: 0 }],
    ['git version 2.9', { major: 2, minor: 9, patch: 0 }],
    ['git version 1.8.3.1\n', { major: 1, minor: 8, patch: 3 }],
    ['git version 10.2.0', { major: 10, minor: 2, patch: 0 }],
    ['  git version 2.43.0  \r\n', { major: 2, minor: 43, patch: 0 }],
    ['git version 2.25.1\nhub version 2.14.2\n', { major: 2, minor: 25, patch: 1 }],
  ])('reads %j as %j', (output, version) => {
    expect(parseGitVersion(output)).toEqual(version);
  });

  it.each(['', 'git version', 'git version two', 'hub version 2.14.2', 'usage: git [--version]'])(
    'returns undefined for %j',
    (output) => {
      expect(parseGitVersion(output)).toBeUndefined();
    },
  );
});

describe('gitVersionAtLeast', () => {
  const min = { major: 2, minor: 31, patch: 0 };

  it.each([
    [{ major: 2, minor: 31, patch: 0 }, true],
    [{ major: 2, minor: 31, patch: 7 }, true],
    [{ major: 2, minor: 39, patch: 5 }, true],
    [{ major: 3, minor: 0, patch: 0 }, true],
    [{ major: 2, minor: 30, patch: 9 }, false],
    [{ major: 2, minor: 4, patch: 40 }, false],
    [{ major: 1, minor: 99, patch: 0 }, false],
  ])('%j >= 2.31.0 is %s', (version, expected) => {
    expect(gitVersionAtLeast(version, min)).toBe(expected);
  });
});
