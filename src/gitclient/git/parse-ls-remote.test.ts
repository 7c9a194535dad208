import { describe, expect, it } from 'vitest';
import { parseLsRemote } from './parse-ls-remote.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const T = 'c'.repeat(40);

describe('parseLsRemote', () => {
  const output = [
    `${A}\tHEAD`,
    `${A}\trefs/heads/main`,
    `${B}\trefs/heads/release/1.x`,
    `${T}\trefs/tags/v1`,
    `${A}\trefs/tags/v1^{}`,
    `${B}\trefs/tags/light`,
    `${B}\trefs/pull/1/head`,
    '',
  ].join('\n');

  it('resolves annotated tags to the peeled commit', () => {
    expect(parseLsRemote(output, true)).toEqual(
      new Map([
        ['refs/heads/main', A],
        ['refs/heads/release/1.x', B],
        ['refs/tags/v1', A],
        ['refs/tags/light', B],
      ]),
    );
  });

  it('drops tags when they were not asked for, and anything but branches and tags', () => {
    expect([...parseLsRemote(output, false).keys()]).toEqual([
      'refs/heads/main',
      'refs/heads/release/1.x',
    ]);
  });

  it('applies a peeled line that comes before its tag line', () => {
    expect(
      parseLsRemote(`${A}\trefs/tags/v1^{}\n${T}\trefs/tags/v1\n`, true).get('refs/tags/v1'),
    ).toBe(A);
  });
});
