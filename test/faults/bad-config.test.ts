import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const REPO = { name: 'app', url: 'https://github.com/org/app', provider: 'github' };
const TEKTON = { event_listener_url: 'http://el.example:8080' };
const repo = (extra: Record<string, unknown>) => ({ repositories: [{ ...REPO, ...extra }] });

/** [what is wrong, the config's sections (merged over a valid base), the exact problem line] */
const CASES: [string, Record<string, unknown>, string][] = [
  [
    'unknown log level',
    { app: { log_level: 'loud' } },
    'app.log_level: must be one of debug, info, warn, error (got "loud")',
  ],
  [
    'unknown log format',
    { app: { log_format: 'xml' } },
    'app.log_format: must be one of json, text (got "xml")',
  ],
  [
    'port out of range',
    { app: { health_check_port: 70000 } },
    'app.health_check_port: must be an integer 0..65535 (got 70000)',
  ],
  [
    'port not a number',
    { app: { health_check_port: '80x' } },
    'app.health_check_port: must be an integer 0..65535 (got "80x")',
  ],
  ['unknown key', { app: { colour: 'blue' } }, 'app.colour: unknown key'],
  ['unknown section', { webhooks: { enabled: true } }, 'webhooks: unknown key'],
  [
    'interval not a duration',
    { polling: { interval: 'soon' } },
    'polling.interval: "soon" is not a duration (use 500ms, 30s, 5m, 1h30m, 30d or plain milliseconds)',
  ],
  [
    'interval too short',
    { polling: { interval: '500ms' } },
    'polling.interval: must be at least 1s (got "500ms")',
  ],
  [
    'negative timeout',
    { polling: { timeout: '-5s' } },
    'polling.timeout: "-5s" is not a duration (use 500ms, 30s, 5m, 1h30m, 30d or plain milliseconds)',
  ],
  [
    'no workers',
    { polling: { max_workers: 0 } },
    'polling.max_workers: must be an integer >= 1 (got 0)',
  ],
  [
    'jitter above 1',
    { polling: { jitter: 1.5 } },
    'polling.jitter: must be a number 0..1 (got 1.5)',
  ],
  [
    'flag not a boolean',
    { polling: { trigger_on_first_seen: 'maybe' } },
    'polling.trigger_on_first_seen: must be true or false (got "maybe")',
  ],
  [
    'storage type',
    { storage: { type: 'mysql' } },
    'storage.type: must be one of sqlite, postgres (got "mysql")',
  ],
  [
    'postgres without a url',
    { storage: { type: 'postgres' } },
    'storage.postgres.url: is empty but storage.type is postgres; set it (usually to ${REPOSENTRY_DATABASE_URL})',
  ],
  [
    'postgres url of another scheme',
    { storage: { type: 'postgres', postgres: { url: 'mysql://rs:hunter2@db/rs' } } },
    'storage.postgres.url: must be a postgres:// URL (got "mysql://[REDACTED]@db/rs")',
  ],
  [
    'too few postgres connections',
    { storage: { postgres: { max_connections: 1 } } },
    'storage.postgres.max_connections: must be an integer 2..1000 (got 1)',
  ],
  [
    'retention not a duration',
    { storage: { retention: 'forever' } },
    'storage.retention: "forever" is not a duration (use 500ms, 30s, 5m, 1h30m, 30d or plain milliseconds)',
  ],
  [
    'payload format',
    { tekton: { ...TEKTON, payload_format: 'xml' } },
    'tekton.payload_format: must be one of auto, github, gitlab, cloudevents, reposentry (got "xml")',
  ],
  [
    'listener URL not http',
    { tekton: { event_listener_url: 'ftp://el.example' } },
    'tekton.event_listener_url: must be an http(s) URL (got "ftp://el.example")',
  ],
  [
    'headers not a map',
    { tekton: { ...TEKTON, headers: ['a', 'b'] } },
    'tekton.headers: must be a mapping of header names to strings',
  ],
  [
    'backoff above its cap',
    { tekton: { ...TEKTON, retry_backoff: '1h' } },
    'tekton.max_retry_backoff: must not be shorter than tekton.retry_backoff (5m < 1h)',
  ],
  [
    'negative quota',
    { rate_limit: { github: { requests_per_hour: -1 } } },
    'rate_limit.github.requests_per_hour: must be an integer >= 1 (got -1)',
  ],
  [
    'allow list not a list',
    { security: { allowed_env_vars: 'GITHUB_TOKEN' } },
    'security.allowed_env_vars: must be a list of strings (got "GITHUB_TOKEN")',
  ],
  [
    'env var not allowed',
    { api: { auth_token: '${NOT_ALLOWED}' } },
    'api.auth_token: environment variable NOT_ALLOWED is not allowed by security.allowed_env_vars',
  ],
  [
    'env var unset',
    { api: { auth_token: '${UNSET_TOKEN}' } },
    'api.auth_token: environment variable UNSET_TOKEN is not set',
  ],
  [
    'unknown provider',
    repo({ provider: 'bitbucket' }),
    'repositories[0].provider: must be one of github, gitlab, git (got "bitbucket")',
  ],
  [
    'branch regex',
    repo({ branch_regex: '(unclosed' }),
    'repositories[0].branch_regex: invalid regular expression "(unclosed": Unterminated group',
  ],
  [
    'tag regex',
    repo({ tag_regex: '[z-a]' }),
    'repositories[0].tag_regex: invalid regular expression "[z-a]": Range out of order in character class',
  ],
  [
    'URL not a URL',
    repo({ url: 'not a url', provider: 'git' }),
    'repositories[0].url: must be an http(s), ssh:// or file:// URL or user@host:path (got "not a url")',
  ],
  [
    'URL missing',
    { repositories: [{ name: 'app', provider: 'github' }] },
    'repositories[0].url: is required',
  ],
  [
    'name missing',
    { repositories: [{ url: REPO.url, provider: 'github' }] },
    'repositories[0].name: is required',
  ],
  [
    'duplicate names',
    { repositories: [REPO, { ...REPO, url: 'https://github.com/org/app2' }] },
    'repositories[1].name: duplicate name "app" (also repositories[0])',
  ],
  [
    'repository interval',
    repo({ polling_interval: '10 minutes' }),
    'repositories[0].polling_interval: "10 minutes" is not a duration (use 500ms, 30s, 5m, 1h30m, 30d or plain milliseconds)',
  ],
  [
    'enabled not a boolean',
    repo({ enabled: 'yes please' }),
    'repositories[0].enabled: must be true or false (got "yes please")',
  ],
  [
    'API base URL',
    repo({ api_base_url: 'gopher://x' }),
    'repositories[0].api_base_url: must be an http(s) URL (got "gopher://x")',
  ],
  [
    'repository payload format',
    repo({ payload_format: 'json' }),
    'repositories[0].payload_format: must be one of auto, github, gitlab, cloudevents, reposentry (got "json")',
  ],
  ['unknown repository key', repo({ webhook: true }), 'repositories[0].webhook: unknown key'],
  [
    'no listener anywhere',
    { tekton: {}, ...repo({}) },
    'repositories[0].event_listener_url: is required because tekton.event_listener_url is not set',
  ],
];

describe('reposentry validate with an invalid config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-bad-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('%s: exit 2 with the exact problem', async (_what, sections, problem) => {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, yaml.dump({ tekton: TEKTON, ...repo({}), ...sections }));
    const result = await runCli(['validate', '-c', file], { cwd: dir, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toContain(problem);
  });

  it('reports every problem of a file at once, and run refuses it with exit 2', async () => {
    const file = path.join(dir, 'many.yaml');
    await writeFile(
      file,
      yaml.dump({
        app: { log_level: 'loud', colour: 'blue' },
        polling: { max_workers: 0 },
        tekton: TEKTON,
        ...repo({ provider: 'bitbucket' }),
      }),
    );
    const validate = await runCli(['validate', '-c', file], { cwd: dir, env: {} });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain(`Invalid configuration ${file} (4 problems):`);
    const run = await runCli(['run', '-c', file], { cwd: dir, env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('polling.max_workers: must be an integer >= 1 (got 0)');
  });

  it('names a file that is missing or not YAML', async () => {
    const missing = await runCli(['validate', '-c', path.join(dir, 'nope.yaml')], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
    const notYaml = path.join(dir, 'broken.yaml');
    await writeFile(notYaml, 'app: [unclosed\n');
    const broken = await runCli(['validate', '-c', notYaml], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.yaml');
  });
});
