import { describe, expect, it } from 'vitest';
import { configProblemsOf } from '../../test/helpers/config-problems.js';
import { loadConfigFromObject } from './load-config.js';

const base = { tekton: { event_listener_url: 'http://el.example:8080' } };
const entry = {
  name: 'acme',
  provider: 'github',
  owner: 'acme',
  url: 'https://github.com',
  token: 'ghp_discoveryConfigToken012345',
};

describe('the discovery config', () => {
  it('builds an entry with its defaults and keeps the template for the repositories found', () => {
    const config = loadConfigFromObject(
      { ...base, discovery: [{ ...entry, template: { branch_regex: '^main$', tag_regex: '^v' } }] },
      { env: {}, cwd: '/srv' },
    );
    expect(config.discovery).toHaveLength(1);
    expect(config.discovery[0]).toMatchObject({
      name: 'acme',
      provider: 'github',
      owner: 'acme',
      includeArchived: false,
      includeForks: false,
      topics: [],
      intervalMs: 600_000,
      template: { branch_regex: '^main$', tag_regex: '^v' },
    });
    expect(config.secrets).toContain('ghp_discoveryConfigToken012345');
  });

  it('reports every bad key of every entry at once, each by its path', () => {
    const problems = configProblemsOf({
      ...base,
      discovery: [
        { ...entry, provider: 'git', ownr: 'x', interval: 'soon', topics: 'ci' },
        { name: 'acme', provider: 'gitlab', url: 'ftp://gitlab.example', include: '(' },
        {
          ...entry,
          name: 'tmpl',
          template: { name: 'x', url: 'https://x', branch_regex: '[', polling_interval: '1ms' },
        },
        { ...entry, name: 'flags', include_forks: 'maybe', template: ['branch_regex'] },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^discovery\[0\]\.provider: must be one of github, gitlab/),
        expect.stringMatching(/^discovery\[0\]\.ownr: unknown key/),
        expect.stringMatching(/^discovery\[0\]\.interval: /),
        expect.stringMatching(/^discovery\[0\]\.topics: must be a list of topic names/),
        'discovery[1].owner: is required',
        expect.stringMatching(/^discovery\[1\]\.url: /),
        expect.stringMatching(/^discovery\[1\]\.include: invalid regular expression/),
        'discovery[1].name: duplicate name "acme" (also discovery[0])',
        'discovery[2].template.name: is set for each repository found and cannot be given here',
        'discovery[2].template.url: is set for each repository found and cannot be given here',
        expect.stringMatching(/^discovery\[3\]\.include_forks: must be true or false/),
        expect.stringMatching(/^discovery\[3\]\.template: must be a mapping/),
      ]),
    );
  });

  it('checks the template as a repository item', () => {
    const problems = configProblemsOf({
      ...base,
      discovery: [
        { ...entry, template: { branch_regex: '[', polling_interval: '1ms', colour: 1 } },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^discovery\[0\]\.template\.branch_regex: invalid regular expression/,
        ),
        expect.stringMatching(/^discovery\[0\]\.template\.polling_interval: must be at least 1s/),
        expect.stringMatching(/^discovery\[0\]\.template\.colour: unknown key/),
      ]),
    );
    expect(
      configProblemsOf({ discovery: [entry] }),
      'a repository found needs an EventListener like any other',
    ).toEqual([
      'discovery[0].template.event_listener_url: is required because tekton.event_listener_url is not set',
    ]);
  });

  it('never shows a token in a problem', () => {
    const problems = configProblemsOf({
      ...base,
      discovery: [{ ...entry, token: 42, api_base_url: 'not a url' }],
    });
    expect(problems.join('\n')).not.toContain('42');
    expect(problems).toContain('discovery[0].token: must be a string');
  });
});
