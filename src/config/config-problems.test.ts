import { describe, expect, it } from 'vitest';
import { configProblemsOf } from '../../test/helpers/config-problems.js';
import { loadConfigFromObject } from './load-config.js';

const ENV = { GITHUB_TOKEN: 'ghp_table_token_1234', HOME: '/home/someone' };
type Item = Record<string, unknown>;
interface Raw {
  [key: string]: unknown;
  tekton: Item;
  repositories: Item[];
}

const first = (c: Raw): Item => c.repositories[0]!;

function baseConfig(): Raw {
  return {
    tekton: { event_listener_url: 'http://el.example:8080' },
    repositories: [
      {
        name: 'app',
        url: 'https://github.com/org/app',
        provider: 'github',
        token: '${GITHUB_TOKEN}',
      },
    ],
  };
}

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = ENV): readonly string[] {
  return configProblemsOf(raw, env);
}

const DURATION_HELP = '(use 500ms, 30s, 5m, 1h30m, 30d or plain milliseconds)';

const CASES: [string, (c: Raw) => void, string][] = [
  [
    'an unknown section',
    (c) => (c.pollling = { interval: '5m' }),
    'pollling: unknown key (did you mean polling?)',
  ],
  [
    'a misspelt key',
    (c) => (c.polling = { intervall: '5m' }),
    'polling.intervall: unknown key (did you mean interval?)',
  ],
  [
    'a section that is not a mapping',
    (c) => (c.polling = 'fast'),
    'polling: must be a mapping of keys (got "fast")',
  ],
  [
    'a bad duration',
    (c) => (c.polling = { interval: '5 minutes' }),
    `polling.interval: "5 minutes" is not a duration ${DURATION_HELP}`,
  ],
  [
    'an interval below 1s',
    (c) => (c.polling = { interval: '500ms' }),
    'polling.interval: must be at least 1s (got "500ms")',
  ],
  [
    'max_workers 0',
    (c) => (c.polling = { max_workers: 0 }),
    'polling.max_workers: must be an integer >= 1 (got 0)',
  ],
  [
    'max_workers not a number',
    (c) => (c.polling = { max_workers: 'many' }),
    'polling.max_workers: must be an integer >= 1 (got "many")',
  ],
  [
    'jitter above 1',
    (c) => (c.polling = { jitter: 1.5 }),
    'polling.jitter: must be a number 0..1 (got 1.5)',
  ],
  [
    'a port out of range',
    (c) => (c.app = { health_check_port: 70000 }),
    'app.health_check_port: must be an integer 0..65535 (got 70000)',
  ],
  [
    'an unknown log level',
    (c) => (c.app = { log_level: 'verbose' }),
    'app.log_level: must be one of debug, info, warn, error (got "verbose")',
  ],
  [
    'an unknown log format',
    (c) => (c.app = { log_format: 'xml' }),
    'app.log_format: must be one of json, text (got "xml")',
  ],
  [
    'an unknown payload format',
    (c) => (c.tekton.payload_format = 'jenkins'),
    'tekton.payload_format: must be one of auto, github, gitlab, cloudevents, reposentry (got "jenkins")',
  ],
  [
    'an EventListener URL that is not http(s)',
    (c) => (c.tekton.event_listener_url = 'ftp://el'),
    'tekton.event_listener_url: must be an http(s) URL (got "ftp://el")',
  ],
  [
    'a backoff cap below the first backoff',
    (c) => (c.tekton = { ...c.tekton, retry_backoff: '5s', max_retry_backoff: '1s' }),
    'tekton.max_retry_backoff: must not be shorter than tekton.retry_backoff (1s < 5s)',
  ],
  [
    'a secret that is not a string, without echoing it',
    (c) => (c.tekton.secret = 12345678),
    'tekton.secret: must be a string',
  ],
  [
    'a header name with a space',
    (c) => (c.tekton.headers = { 'X Bad': 'v' }),
    'tekton.headers.X Bad: is not a valid HTTP header name',
  ],
  [
    'an allow-list wildcard for everything',
    (c) => (c.security = { allowed_env_vars: ['*', 'GITHUB_TOKEN'] }),
    'security.allowed_env_vars[0]: "*" would allow every variable; list names, PREFIX* or *SUFFIX',
  ],
  [
    'repositories that are not a list',
    (c) => Object.assign(c, { repositories: { name: 'app' } }),
    'repositories: must be a list (got {"name":"app"})',
  ],
  [
    'a repository that is not a mapping',
    (c) => Object.assign(c, { repositories: ['app'] }),
    'repositories[0]: must be a mapping with name, url and provider (got "app")',
  ],
  [
    'a branch regex that does not compile',
    (c) => (first(c).branch_regex = '('),
    'repositories[0].branch_regex: invalid regular expression "(": Unterminated group',
  ],
  [
    'a tag regex that does not compile',
    (c) => (first(c).tag_regex = 'v[0-9'),
    'repositories[0].tag_regex: invalid regular expression "v[0-9": Unterminated character class',
  ],
  [
    'an unknown provider',
    (c) => (first(c).provider = 'bitbucket'),
    'repositories[0].provider: must be one of github, gitlab, git (got "bitbucket")',
  ],
  [
    'a missing name',
    (c) => Reflect.deleteProperty(first(c), 'name'),
    'repositories[0].name: is required',
  ],
  [
    'an scp-like URL for provider github',
    (c) => (first(c).url = 'git@github.com:org/app.git'),
    'repositories[0].url: must be an http(s) URL (got "git@github.com:org/app.git")',
  ],
  [
    'a bad URL for provider git',
    (c) => Object.assign(first(c), { provider: 'git', url: 'ftp://h/x' }),
    'repositories[0].url: must be an http(s), ssh:// or file:// URL or user@host:path (got "ftp://h/x")',
  ],
  [
    'a bad api_base_url',
    (c) => (first(c).api_base_url = 'ghe.example.com/api'),
    'repositories[0].api_base_url: must be an http(s) URL (got "ghe.example.com/api")',
  ],
  [
    'a bad repository polling interval',
    (c) => (first(c).polling_interval = '2x'),
    `repositories[0].polling_interval: "2x" is not a duration ${DURATION_HELP}`,
  ],
  [
    'enabled that is not a boolean',
    (c) => (first(c).enabled = 'yes'),
    'repositories[0].enabled: must be true or false (got "yes")',
  ],
  [
    'an unknown repository key',
    (c) => (first(c).branchs_regex = 'main'),
    'repositories[0].branchs_regex: unknown key (did you mean branch_regex?)',
  ],
  [
    'duplicate repository names',
    (c) => c.repositories.push({ ...first(c) }),
    'repositories[1].name: duplicate name "app" (also repositories[0])',
  ],
  [
    'no EventListener URL anywhere',
    (c) => Reflect.deleteProperty(c, 'tekton'),
    'repositories[0].event_listener_url: is required because tekton.event_listener_url is not set',
  ],
  [
    'an http EventListener under require_https',
    (c) => (c.security = { require_https: true }),
    'tekton.event_listener_url: must use https because security.require_https is true (got "http://el.example:8080")',
  ],
  [
    'an http repository under require_https',
    (c) => {
      Object.assign(c, {
        security: { require_https: true },
        tekton: { event_listener_url: 'https://el' },
      });
      first(c).url = 'http://github.com/org/app';
    },
    'repositories[0].url: must use https because security.require_https is true (got "http://github.com/org/app")',
  ],
  [
    'a disallowed variable',
    (c) => (c.app = { name: '${HOME}' }),
    'app.name: environment variable HOME is not allowed by security.allowed_env_vars',
  ],
  [
    'an unset variable',
    (c) => (first(c).token = '${GITLAB_TOKEN}'),
    'repositories[0].token: environment variable GITLAB_TOKEN is not set',
  ],
  [
    'pull_requests that is neither a flag nor a mapping',
    (c) => (first(c).pull_requests = 'yes'),
    'repositories[0].pull_requests: must be true, false or a mapping of target_branch_regex, include_drafts, include_forks (got "yes")',
  ],
  [
    'a misspelt pull_requests key',
    (c) => (first(c).pull_requests = { include_draft: false }),
    'repositories[0].pull_requests.include_draft: unknown key (did you mean include_drafts?)',
  ],
  [
    'a bad target_branch_regex',
    (c) => (first(c).pull_requests = { target_branch_regex: '(main' }),
    'repositories[0].pull_requests.target_branch_regex: invalid regular expression "(main": Unterminated group',
  ],
  [
    'pull_requests filters on a plain git remote',
    (c) => {
      first(c).provider = 'git';
      first(c).pull_requests = true;
    },
    'repositories[0].pull_requests: a plain git remote shows only the heads of requests (refs/pull/*/head, refs/merge-requests/*/head), not their target branch, draft state or origin; set include_forks: true and leave target_branch_regex and include_drafts as they are, or use provider github or gitlab',
  ],
  [
    'intake enabled without a secret',
    (c) => (c.intake = { enabled: true }),
    'intake.secret: is empty but intake.enabled is true, so no webhook could be verified; set it (usually to ${INTAKE_WEBHOOK_SECRET}) to the secret of the GitHub or GitLab webhook',
  ],
];

describe('loadConfigFromObject rejects', () => {
  it('accepts the base config of this table (so each case fails for its own reason)', () => {
    expect(problemsOf(baseConfig())).toEqual([]);
  });

  it.each(CASES)('%s', (_label, mutate, problem) => {
    const raw = baseConfig();
    mutate(raw);
    expect(problemsOf(raw)).toEqual([problem]);
  });
});

describe('problem reporting', () => {
  it('reports every problem at once, from every stage', () => {
    const raw = baseConfig();
    raw.app = { log_level: 'loud', unknown_knob: 1 };
    raw.polling = { interval: 'soon' };
    raw.tekton.payload_format = 'xml';
    first(raw).branch_regex = '[';
    first(raw).token = '${MISSING_TOKEN}';
    raw.repositories.push({ name: 'app', url: 'https://gitlab.com/g/p', provider: 'gitlab' });
    raw.repositories.push({ name: 'third', url: 'nope', provider: 'svn' });

    const problems = problemsOf(raw);

    expect([...problems].sort()).toEqual(
      [
        'app.log_level: must be one of debug, info, warn, error (got "loud")',
        'app.unknown_knob: unknown key',
        `polling.interval: "soon" is not a duration ${DURATION_HELP}`,
        'tekton.payload_format: must be one of auto, github, gitlab, cloudevents, reposentry (got "xml")',
        'repositories[0].token: environment variable MISSING_TOKEN is not set',
        'repositories[0].branch_regex: invalid regular expression "[": Unterminated character class',
        'repositories[1].name: duplicate name "app" (also repositories[0])',
        'repositories[2].provider: must be one of github, gitlab, git (got "svn")',
      ].sort(),
    );
  });

  it('throws a ConfigError with code config-invalid whose message lists the problems', () => {
    const raw = baseConfig();
    raw.polling = { max_workers: 0 };
    expect(() => loadConfigFromObject(raw, { env: ENV })).toThrow(
      expect.objectContaining({
        code: 'config-invalid',
        message:
          'Invalid configuration (1 problem): polling.max_workers: must be an integer >= 1 (got 0)',
      }),
    );
  });

  it('never puts a secret into a problem, even one echoed from a bad value', () => {
    const raw = baseConfig();
    first(raw).url = 'ftp://${GITHUB_TOKEN}@github.com/org/app';
    raw.app = { name: { nested: '${GITHUB_TOKEN}' } };
    const text = problemsOf(raw).join('\n');
    expect(text).toContain('repositories[0].url');
    expect(text).toContain('app.name');
    expect(text).not.toContain(ENV.GITHUB_TOKEN);
  });

  it('does not pile further problems on a key whose variable failed', () => {
    const raw = baseConfig();
    first(raw).url = '${GITHUB_HOST}/org/app';
    raw.security = { allowed_env_vars: ['GITHUB_*'] };
    expect(problemsOf(raw)).toEqual([
      'repositories[0].url: environment variable GITHUB_HOST is not set',
    ]);
  });

  it('rejects a document that is not a mapping', () => {
    expect(() => loadConfigFromObject(['a'], { env: {}, file: 'x.yaml', cwd: '/srv' })).toThrow(
      '/srv/x.yaml: must be a mapping of keys at the top level (got ["a"])',
    );
  });
});
