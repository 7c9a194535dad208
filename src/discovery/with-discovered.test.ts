import { describe, expect, it } from 'vitest';
import { loadConfigFromObject } from '../config/load-config.js';
import type { ListedRepository } from './listed-repository.js';
import { withDiscovered } from './with-discovered.js';

const listed = (host: string, path: string, extra: Partial<ListedRepository> = {}) => ({
  path,
  cloneUrl: `${host}/${path}.git`,
  webUrl: `${host}/${path}`,
  archived: false,
  fork: false,
  topics: [],
  missedReads: 0,
  ...extra,
});

const config = (raw: Record<string, unknown>) =>
  loadConfigFromObject(
    { tekton: { event_listener_url: 'http://el.example:8080' }, ...raw },
    { env: {}, cwd: '/srv' },
  );

const entry = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  provider: 'github',
  owner: 'acme',
  url: 'https://github.com',
  token: 'ghp_entryToken0123456789',
  ...extra,
});

describe('withDiscovered', () => {
  it('appends what each entry keeps, named by path, set up from the template', () => {
    const base = config({
      repositories: [{ name: 'by-hand', url: 'https://github.com/other/x', provider: 'github' }],
      discovery: [
        entry('acme', {
          template: { branch_regex: '^main$', token: 'ghp_templateToken0123456' },
          exclude: 'legacy',
        }),
      ],
    });
    const lists = new Map([
      [
        'acme',
        [
          listed('https://github.com', 'acme/api'),
          listed('https://github.com', 'acme/legacy'),
          listed('https://github.com', 'acme/old', { archived: true }),
        ],
      ],
    ]);
    const { config: merged, entries } = withDiscovered(base, lists);
    expect(merged.repositories.map((r) => [r.name, r.source, r.branchPattern, r.token])).toEqual([
      ['by-hand', undefined, '.*', undefined],
      ['acme/api', 'discovery/acme', '^main$', 'ghp_templateToken0123456'],
    ]);
    expect(merged.repositories[1]?.url).toBe('https://github.com/acme/api.git');
    expect(entries.get('acme')).toMatchObject({ watched: ['acme/api'], filteredOut: 2 });
    expect(Object.isFrozen(merged.repositories[1])).toBe(true);
  });

  it('lets a url listed by hand win, then the first entry, and never takes a name twice', () => {
    const base = config({
      repositories: [
        { name: 'billing', url: 'https://GitHub.com/acme/Billing', provider: 'github' },
        { name: 'acme/web', url: 'https://github.com/elsewhere/web', provider: 'github' },
      ],
      discovery: [entry('first', { token: 'ghp_first0123456789' }), entry('second')],
    });
    const found = [
      listed('https://github.com', 'acme/billing'),
      listed('https://github.com', 'acme/api'),
      listed('https://github.com', 'acme/web'),
    ];
    const { config: merged, entries } = withDiscovered(
      base,
      new Map([
        ['first', found],
        ['second', found],
      ]),
    );
    expect(merged.repositories.map((r) => r.name)).toEqual(['billing', 'acme/web', 'acme/api']);
    expect(entries.get('first')?.overlaps).toEqual([
      { path: 'acme/billing', watchedBy: 'repositories', reason: 'url' },
      { path: 'acme/web', watchedBy: 'repositories', reason: 'name' },
    ]);
    expect(entries.get('second')?.overlaps).toContainEqual({
      path: 'acme/api',
      watchedBy: 'discovery/first',
      reason: 'url',
    });
  });

  it('leaves out a repository whose url the settings refuse, saying why', () => {
    const base = config({
      security: { require_https: true },
      tekton: { event_listener_url: 'https://el.example' },
      discovery: [entry('acme')],
    });
    const { config: merged, entries } = withDiscovered(
      base,
      new Map([['acme', [listed('http://git.example', 'acme/plain')]]]),
    );
    expect(merged.repositories).toEqual([]);
    expect(entries.get('acme')?.rejected[0]).toMatchObject({ path: 'acme/plain' });
    expect(entries.get('acme')?.rejected[0]?.problems[0]).toMatch(/url/);
  });

  it('returns the config itself when there is no discovery', () => {
    const base = config({});
    expect(withDiscovered(base, new Map()).config).toBe(base);
  });
});
