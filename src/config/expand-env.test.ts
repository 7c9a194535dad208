import { describe, expect, it } from 'vitest';
import { allowListEntryProblem, expandEnv, isAllowedEnvVar } from './expand-env.js';

const ALLOWED = ['GITHUB_TOKEN', 'CORP_*', '*_SECRET'];

describe('isAllowedEnvVar', () => {
  it.each([
    ['GITHUB_TOKEN', true],
    ['GITHUB_TOKENX', false],
    ['CORP_GHE_TOKEN', true],
    ['WEBHOOK_SECRET', true],
    ['HOME', false],
    ['SECRET_HOME', false],
  ])('%s -> %s', (name, allowed) => {
    expect(isAllowedEnvVar(name, ALLOWED)).toBe(allowed);
  });
});

describe('expandEnv', () => {
  it('replaces allowed, set variables in every string, nested and in lists', () => {
    const result = expandEnv(
      { a: { b: 'x-${GITHUB_TOKEN}-y' }, list: ['${CORP_HOST}'], n: 5 },
      { env: { GITHUB_TOKEN: 'tok', CORP_HOST: 'h.example' }, allowed: ALLOWED },
    );
    expect(result.value).toEqual({ a: { b: 'x-tok-y' }, list: ['h.example'], n: 5 });
    expect(result.problems).toEqual([]);
    expect(result.substitutions).toEqual([
      { path: 'a.b', variable: 'GITHUB_TOKEN', value: 'tok' },
      { path: 'list[0]', variable: 'CORP_HOST', value: 'h.example' },
    ]);
  });

  it('reports a disallowed variable by key and name, never its value', () => {
    const result = expandEnv(
      { app: { name: '${HOME}' } },
      { env: { HOME: '/root/very-private' }, allowed: ALLOWED },
    );
    expect(result.problems).toEqual([
      'app.name: environment variable HOME is not allowed by security.allowed_env_vars',
    ]);
    expect(JSON.stringify(result.problems)).not.toContain('very-private');
    expect(result.failedPaths).toEqual(new Set(['app.name']));
  });

  it('reports an unset variable instead of keeping the literal silently', () => {
    const result = expandEnv(
      { repositories: [{ token: '${GITHUB_TOKEN}' }] },
      { env: {}, allowed: ALLOWED },
    );
    expect(result.problems).toEqual([
      'repositories[0].token: environment variable GITHUB_TOKEN is not set',
    ]);
  });

  it('treats a variable set to the empty string as set', () => {
    const result = expandEnv(
      { t: '${GITHUB_TOKEN}' },
      { env: { GITHUB_TOKEN: '' }, allowed: ALLOWED },
    );
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual({ t: '' });
  });

  it('rejects a malformed reference', () => {
    const result = expandEnv({ t: '${NOT VALID}' }, { env: {}, allowed: ['*_X'] });
    expect(result.problems).toEqual([
      't: "${NOT VALID}" is not a valid environment variable reference',
    ]);
  });

  it('numbers paths from basePath and leaves skipped paths alone', () => {
    const result = expandEnv(
      { token: '${GITHUB_TOKEN}', keep: '${GITHUB_TOKEN}' },
      {
        env: {},
        allowed: ALLOWED,
        basePath: 'repositories[4]',
        skipPaths: ['repositories[4].keep'],
      },
    );
    expect(result.problems).toEqual([
      'repositories[4].token: environment variable GITHUB_TOKEN is not set',
    ]);
    expect(result.value).toEqual({ token: '${GITHUB_TOKEN}', keep: '${GITHUB_TOKEN}' });
  });
});

describe('allowListEntryProblem', () => {
  it.each([
    ['GITHUB_TOKEN', undefined],
    ['CUSTOM_TOKEN_*', undefined],
    ['*_SECRET', undefined],
    ['*', '"*" would allow every variable; list names, PREFIX* or *SUFFIX'],
    ['*MID*', '"*MID*": a wildcard may stand at the start or the end, not both'],
    ['A*B', '"A*B" is not a variable name, PREFIX* or *SUFFIX'],
  ])('%j -> %j', (entry, problem) => {
    expect(allowListEntryProblem(entry)).toBe(problem);
  });
});
