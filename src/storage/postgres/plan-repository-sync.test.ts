import { describe, expect, it } from 'vitest';
import type { RepositoryIdentity } from '../storage-types.js';
import { planRepositorySync } from './plan-repository-sync.js';

type Known = Map<string, RepositoryIdentity>;

const A1: RepositoryIdentity = { name: 'a', provider: 'github', url: 'https://github.com/o/a' };
const A2: RepositoryIdentity = { name: 'a', provider: 'github', url: 'https://github.com/o/a2' };
const B: RepositoryIdentity = { name: 'b', provider: 'gitlab', url: 'https://gitlab.com/o/b' };
const B_GIT: RepositoryIdentity = { name: 'b', provider: 'git', url: 'https://gitlab.com/o/b' };

describe('planRepositorySync', () => {
  it('adds unknown repositories, keeps unchanged ones and repoints a changed url or provider', () => {
    const known: Known = new Map([
      ['a', A1],
      ['b', B],
    ]);
    expect(planRepositorySync(known, [A2, B_GIT, { ...A1, name: 'c' }])).toEqual({
      results: ['repointed', 'repointed', 'added'],
      inserts: [{ ...A1, name: 'c' }],
      updates: [
        { ...A2, resetFirstSeen: true },
        { ...B_GIT, resetFirstSeen: true },
      ],
      forget: ['a', 'b'],
    });
    expect(planRepositorySync(known, [A1])).toEqual({
      results: ['kept'],
      inserts: [],
      updates: [{ ...A1, resetFirstSeen: false }],
      forget: [],
    });
  });

  it('tracks a name listed twice twice, as one track after the other would', () => {
    // Added, then repointed: one row at the last url, its HTTP cache forgotten.
    expect(planRepositorySync(new Map(), [A1, A2])).toEqual({
      results: ['added', 'repointed'],
      inserts: [A2],
      updates: [],
      forget: ['a'],
    });
    // Repointed away and back: the stored url again, but its state was forgotten on the way.
    expect(planRepositorySync(new Map([['a', A1]]), [A2, A1])).toEqual({
      results: ['repointed', 'repointed'],
      inserts: [],
      updates: [{ ...A1, resetFirstSeen: true }],
      forget: ['a'],
    });
  });
});
