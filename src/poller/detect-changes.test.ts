import { describe, expect, it } from 'vitest';
import { detectChanges, type DetectInput } from './detect-changes.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function input(overrides: Partial<DetectInput>): DetectInput {
  return {
    stored: new Map(),
    listed: new Map(),
    repository: { branchRegex: /^(main|release\/.*)$/ },
    baselined: { branch: true, tag: true },
    triggerOnFirstSeen: false,
    ...overrides,
  };
}

describe('detectChanges', () => {
  it('records the first listing as a silent baseline', () => {
    const result = detectChanges(
      input({
        listed: new Map([
          ['refs/heads/main', A],
          ['refs/heads/feature', B],
        ]),
        baselined: { branch: false, tag: false },
      }),
    );
    expect(result.transitions).toEqual([]);
    expect(result.upsert).toHaveLength(2);
  });

  it('fires created for matching refs of the first listing when trigger_on_first_seen is set', () => {
    const result = detectChanges(
      input({
        listed: new Map([
          ['refs/heads/main', A],
          ['refs/heads/feature', B],
        ]),
        baselined: { branch: false, tag: false },
        triggerOnFirstSeen: true,
      }),
    );
    expect(result.transitions).toEqual([
      { type: 'branch.created', ref: 'refs/heads/main', before: null, after: A },
    ]);
  });

  it('reports created, updated and deleted branches that match the regex, in ref order', () => {
    const result = detectChanges(
      input({
        stored: new Map([
          ['refs/heads/main', A],
          ['refs/heads/release/1', B],
          ['refs/heads/feature', C],
        ]),
        listed: new Map([
          ['refs/heads/main', B],
          ['refs/heads/release/2', C],
          ['refs/heads/feature', A],
        ]),
      }),
    );
    expect(result.transitions).toEqual([
      { type: 'branch.updated', ref: 'refs/heads/main', before: A, after: B },
      { type: 'branch.deleted', ref: 'refs/heads/release/1', before: B, after: null },
      { type: 'branch.created', ref: 'refs/heads/release/2', before: null, after: C },
    ]);
    expect(result.remove).toEqual(['refs/heads/release/1']);
    expect(result.upsert).toContainEqual({ ref: 'refs/heads/feature', sha: A });
  });

  it('does not report a ref that stops matching after a regex change as deleted', () => {
    const result = detectChanges(
      input({
        stored: new Map([['refs/heads/release/1', A]]),
        listed: new Map([['refs/heads/release/1', A]]),
        repository: { branchRegex: /^main$/ },
      }),
    );
    expect(result).toEqual({ upsert: [], remove: [], transitions: [] });
  });

  it('does not report an existing ref as created when a wider regex starts matching it', () => {
    const result = detectChanges(
      input({
        stored: new Map([['refs/heads/develop', A]]),
        listed: new Map([['refs/heads/develop', A]]),
        repository: { branchRegex: /.*/ },
      }),
    );
    expect(result.transitions).toEqual([]);
  });

  it('watches tags only with a tag_regex, baselines them separately and drops them when unwatched', () => {
    const listed = new Map([
      ['refs/heads/main', A],
      ['refs/tags/v1.0', B],
      ['refs/tags/nightly', C],
    ]);
    const first = detectChanges(
      input({
        stored: new Map([['refs/heads/main', A]]),
        listed,
        repository: { branchRegex: /^main$/, tagRegex: /^v[0-9]+/ },
        baselined: { branch: true, tag: false },
      }),
    );
    expect(first.transitions).toEqual([]);
    expect(first.upsert).toHaveLength(2);

    const second = detectChanges(
      input({
        stored: listed,
        listed: new Map([...listed, ['refs/tags/v2.0', A]]),
        repository: { branchRegex: /^main$/, tagRegex: /^v[0-9]+/ },
      }),
    );
    expect(second.transitions).toEqual([
      { type: 'tag.created', ref: 'refs/tags/v2.0', before: null, after: A },
    ]);

    const unwatched = detectChanges(
      input({
        stored: listed,
        listed: new Map([['refs/heads/main', A]]),
        repository: { branchRegex: /^main$/ },
      }),
    );
    expect(unwatched.transitions).toEqual([]);
    expect([...unwatched.remove].sort()).toEqual(['refs/tags/nightly', 'refs/tags/v1.0']);
  });
});
