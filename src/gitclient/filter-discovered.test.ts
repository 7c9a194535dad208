import { describe, expect, it } from 'vitest';
import type { DiscoveredRepository } from './discovered-repository.js';
import { filterDiscovered, type DiscoveryFilter } from './filter-discovered.js';

const repo = (path: string, extra: Partial<DiscoveredRepository> = {}): DiscoveredRepository => ({
  path,
  cloneUrl: `https://github.com/${path}.git`,
  webUrl: `https://github.com/${path}`,
  archived: false,
  fork: false,
  topics: [],
  ...extra,
});

const ALL: DiscoveredRepository[] = [
  repo('acme/svc-web', { topics: ['ci', 'web'] }),
  repo('acme/svc-api', { topics: ['CI'] }),
  repo('acme/svc-old-archive', { topics: ['ci'] }),
  repo('acme/svc-frozen', { archived: true, topics: ['ci'] }),
  repo('acme/svc-forked', { fork: true, topics: ['ci'] }),
  repo('acme/docs'),
];

const open: DiscoveryFilter = { includeArchived: true, includeForks: true };
const paths = (filter: DiscoveryFilter) => filterDiscovered(ALL, filter).map((r) => r.path);

describe('filterDiscovered', () => {
  it('keeps everything, sorted by path, when nothing is asked', () => {
    expect(paths(open)).toEqual([
      'acme/docs',
      'acme/svc-api',
      'acme/svc-forked',
      'acme/svc-frozen',
      'acme/svc-old-archive',
      'acme/svc-web',
    ]);
  });

  it('leaves out archived repositories and forks unless they are asked for', () => {
    expect(paths({ includeArchived: false, includeForks: true })).not.toContain('acme/svc-frozen');
    expect(paths({ includeArchived: true, includeForks: false })).not.toContain('acme/svc-forked');
    expect(paths({ includeArchived: false, includeForks: false })).toEqual([
      'acme/docs',
      'acme/svc-api',
      'acme/svc-old-archive',
      'acme/svc-web',
    ]);
  });

  it('keeps paths the include regex matches and drops those exclude matches', () => {
    expect(paths({ ...open, include: /^acme\/svc-/, exclude: /-archive$/ })).toEqual([
      'acme/svc-api',
      'acme/svc-forked',
      'acme/svc-frozen',
      'acme/svc-web',
    ]);
    expect(paths({ ...open, exclude: /svc/ })).toEqual(['acme/docs']);
  });

  it('asks for every listed topic, without regard to case', () => {
    const base = { includeArchived: false, includeForks: false };
    expect(paths({ ...base, topics: ['ci'] })).toEqual([
      'acme/svc-api',
      'acme/svc-old-archive',
      'acme/svc-web',
    ]);
    expect(paths({ ...base, topics: ['ci', 'web'] })).toEqual(['acme/svc-web']);
    expect(paths({ ...base, topics: [] })).toHaveLength(4);
  });

  it('gives the same answer every time with a global regex', () => {
    const filter = { ...open, include: /svc-(web|api)/g };
    expect(paths(filter)).toEqual(['acme/svc-api', 'acme/svc-web']);
    expect(paths(filter)).toEqual(['acme/svc-api', 'acme/svc-web']);
  });

  it('lists a path once, and leaves its input as it was', () => {
    const input = [repo('b/two'), repo('a/one'), repo('b/two')];
    expect(filterDiscovered(input, open).map((r) => r.path)).toEqual(['a/one', 'b/two']);
    expect(input.map((r) => r.path)).toEqual(['b/two', 'a/one', 'b/two']);
  });
});
