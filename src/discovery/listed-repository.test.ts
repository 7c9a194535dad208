import { describe, expect, it } from 'vitest';
import type { DiscoveredRepository } from '../gitclient/discovered-repository.js';
import { nextListing, readListedRepositories, type ListedRepository } from './listed-repository.js';

const repo = (path: string, extra: Partial<DiscoveredRepository> = {}): DiscoveredRepository => ({
  path,
  cloneUrl: `https://github.com/${path}.git`,
  webUrl: `https://github.com/${path}`,
  archived: false,
  fork: false,
  topics: [],
  ...extra,
});
const listed = (path: string, missedReads = 0): ListedRepository => ({
  ...repo(path),
  missedReads,
});

describe('nextListing', () => {
  it('adds what a read lists and keeps one it misses until a second read misses it too', () => {
    const first = nextListing([], [repo('acme/a'), repo('acme/b')]);
    expect(first.added).toEqual(['acme/a', 'acme/b']);
    const second = nextListing(first.repositories, [repo('acme/b'), repo('acme/c')]);
    expect(second).toMatchObject({ added: ['acme/c'], dropped: [], missing: ['acme/a'] });
    expect(second.repositories.map((r) => [r.path, r.missedReads])).toEqual([
      ['acme/a', 1],
      ['acme/b', 0],
      ['acme/c', 0],
    ]);
    const third = nextListing(second.repositories, [repo('acme/b'), repo('acme/c')]);
    expect(third).toMatchObject({ added: [], dropped: ['acme/a'], missing: [] });
    expect(third.repositories.map((r) => r.path)).toEqual(['acme/b', 'acme/c']);
  });

  it('forgives a miss when the repository is listed again', () => {
    const next = nextListing([listed('acme/a', 1)], [repo('acme/a', { archived: true })]);
    expect(next.repositories).toEqual([{ ...repo('acme/a', { archived: true }), missedReads: 0 }]);
    expect(next.added).toEqual([]);
  });
});

describe('readListedRepositories', () => {
  it('reads a stored list and skips entries that are not repositories', () => {
    expect(
      readListedRepositories([listed('acme/a', 1), { path: 'acme/b' }, 'x', { ...repo('acme/c') }]),
    ).toEqual([listed('acme/a', 1), listed('acme/c')]);
  });
});
