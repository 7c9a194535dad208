import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig, loadConfigFromObject } from './load-config.js';

const EL = 'https://el.example.org/hook';

function repo(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'app', url: 'https://github.com/org/app', provider: 'github', ...extra };
}

async function problemsOf(load: () => Promise<unknown>): Promise<readonly string[]> {
  try {
    await load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfigFromObject', () => {
  it('fills every default of SPEC section 2 into an empty config', () => {
    const config = loadConfigFromObject({}, { env: {}, cwd: '/srv/rs' });
    expect(config.app).toMatchObject({
      name: 'reposentry',
      logLevel: 'info',
      logFormat: 'json',
      dataDir: '/srv/rs/data',
      healthCheckPort: 8080,
    });
    expect(config.app.logFile).toBeUndefined();
    expect(config.api).toEqual({ listenAddress: '0.0.0.0', authReads: false });
    expect(config.polling).toEqual({
      intervalMs: 300_000,
      timeoutMs: 30_000,
      maxWorkers: 5,
      jitter: 0.1,
      triggerOnFirstSeen: false,
      enableApiFallback: true,
      retryAttempts: 3,
      retryBackoffMs: 1000,
      adaptive: { enabled: false, maxIntervalMs: 1_800_000 },
    });
    expect(config.storage).toEqual({
      type: 'sqlite',
      sqlitePath: '/srv/rs/data/reposentry.db',
      busyTimeoutMs: 30_000,
      retentionMs: 30 * 86_400_000,
    });
    expect(config.tekton.eventListenerUrl).toBeUndefined();
    expect(config.tekton).toMatchObject({
      payloadFormat: 'auto',
      timeoutMs: 10_000,
      retryAttempts: 8,
      retryBackoffMs: 1000,
      maxRetryBackoffMs: 300_000,
      headers: {},
    });
    expect(config.rateLimit).toEqual({
      github: { requestsPerHour: 4000, requestsPerMinute: 900, burst: 10 },
      gitlab: { requestsPerSecond: 8, burst: 10 },
    });
    expect(config.security).toEqual({
      allowedEnvVars: [
        'GITHUB_TOKEN',
        'GITLAB_TOKEN',
        '*_TOKEN',
        '*_SECRET',
        'REPOSENTRY_DATABASE_URL',
      ],
      requireHttps: false,
    });
    expect(config.repositories).toEqual([]);
    expect(config.secrets).toEqual([]);
    expect(config.warnings).toEqual([]);
  });

  it('resolves per-repository overrides against the globals', () => {
    const config = loadConfigFromObject(
      {
        polling: { interval: '2m' },
        tekton: { event_listener_url: EL, payload_format: 'auto' },
        repositories: [
          repo(),
          repo({
            name: 'lab',
            provider: 'gitlab',
            url: 'https://gitlab.com/g/p',
            polling_interval: '45s',
          }),
          repo({
            name: 'plain',
            provider: 'git',
            url: 'git@git.example.org:team/plain.git',
            payload_format: 'cloudevents',
            event_listener_url: 'http://127.0.0.1:9000/',
          }),
          repo({ name: 'off', enabled: false, branch_regex: '(?i)^MAIN$', tag_regex: '^v\\d+' }),
        ],
      },
      { env: {} },
    );
    const [github, gitlab, git, off] = config.repositories;
    expect(github).toMatchObject({
      pollingIntervalMs: 120_000,
      eventListenerUrl: EL,
      payloadFormat: 'github',
      enabled: true,
      branchPattern: '.*',
    });
    expect(github?.tagRegex).toBeUndefined();
    expect(gitlab).toMatchObject({ pollingIntervalMs: 45_000, payloadFormat: 'gitlab' });
    expect(git).toMatchObject({
      payloadFormat: 'cloudevents',
      eventListenerUrl: 'http://127.0.0.1:9000/',
    });
    expect(off?.enabled).toBe(false);
    expect(off?.branchRegex.test('main')).toBe(true);
    expect(off?.tagRegex?.test('v12')).toBe(true);
    expect(off?.tagPattern).toBe('^v\\d+');
  });

  it('accepts ssh://, file:// and user@host:path URLs for provider git', () => {
    const urls = [
      'ssh://git@h.example/r.git',
      'file:///srv/git/r.git',
      'git@h.example:team/r.git',
      'http://h.example/r.git',
    ];
    const config = loadConfigFromObject(
      {
        tekton: { event_listener_url: EL },
        repositories: urls.map((url, i) => repo({ name: `r${i}`, provider: 'git', url })),
      },
      { env: {} },
    );
    expect(config.repositories.map((r) => r.url)).toEqual(urls);
  });

  it('coerces numbers and booleans that come from environment variables', () => {
    const config = loadConfigFromObject(
      {
        polling: { max_workers: '${RS_WORKERS}', trigger_on_first_seen: '${RS_FIRST}' },
        security: { allowed_env_vars: ['RS_*'] },
      },
      { env: { RS_WORKERS: '12', RS_FIRST: 'true' } },
    );
    expect(config.polling.maxWorkers).toBe(12);
    expect(config.polling.triggerOnFirstSeen).toBe(true);
  });

  it('collects every secret value, and only secrets, into Config.secrets', () => {
    const config = loadConfigFromObject(
      {
        api: { auth_token: '${REPOSENTRY_API_TOKEN}' },
        tekton: {
          event_listener_url: 'https://el:pw-in-url-1@el.example/x',
          secret: 'literal-hmac-key',
          headers: { Authorization: 'Bearer hdr-token-9', 'X-Team': 'platform' },
        },
        repositories: [
          repo({ token: '${GITHUB_TOKEN}' }),
          repo({
            name: 'lab',
            provider: 'gitlab',
            url: 'https://gitlab.com/g/p',
            token: 'glpat-literal',
          }),
        ],
      },
      { env: { REPOSENTRY_API_TOKEN: 'api-token-value', GITHUB_TOKEN: 'ghp_env_value' } },
    );
    expect([...config.secrets].sort()).toEqual(
      [
        'api-token-value',
        'literal-hmac-key',
        'Bearer hdr-token-9',
        'pw-in-url-1',
        'ghp_env_value',
        'glpat-literal',
      ].sort(),
    );
    expect(config.api.authToken).toBe('api-token-value');
    expect(config.repositories[0]?.token).toBe('ghp_env_value');
  });

  it('warns about short polling intervals, globally and per repository', () => {
    const config = loadConfigFromObject(
      {
        polling: { interval: '10s' },
        tekton: { event_listener_url: EL },
        repositories: [repo({ polling_interval: '5s' })],
      },
      { env: {} },
    );
    expect(config.warnings).toEqual([
      'polling.interval: 10s is below 30s; polls this frequent use up API rate limits quickly',
      'repositories[0].polling_interval: 5s is below 30s; polls this frequent use up API rate limits quickly',
    ]);
  });

  it('lets loopback EventListeners through require_https, but nothing else', () => {
    const config = loadConfigFromObject(
      {
        security: { require_https: true },
        tekton: { event_listener_url: 'http://localhost:8080/webhook' },
        repositories: [repo()],
      },
      { env: {} },
    );
    expect(config.security.requireHttps).toBe(true);
  });

  it('returns a deeply frozen snapshot', () => {
    const config = loadConfigFromObject(
      { tekton: { event_listener_url: EL }, repositories: [repo()] },
      { env: {} },
    );
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.repositories[0])).toBe(true);
    expect(Object.isFrozen(config.tekton.headers)).toBe(true);
    expect(() => {
      (config.polling as { maxWorkers: number }).maxWorkers = 99;
    }).toThrow(TypeError);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rs-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("appends the repositories of repositories_config after the main file's, and warns about global_settings", async () => {
    await writeFile(
      path.join(dir, 'config.yaml'),
      `tekton:\n  event_listener_url: ${EL}\nrepositories_config: repos.yaml\nrepositories:\n  - name: main-one\n    url: https://github.com/o/a\n    provider: github\n`,
    );
    await writeFile(
      path.join(dir, 'repos.yaml'),
      'global_settings:\n  default_polling_enabled: true\nrepositories:\n  - name: extra-one\n    url: https://gitlab.com/g/b\n    provider: gitlab\n    token: ${GITLAB_TOKEN}\n  - name: extra-two\n    url: git@h:x/y.git\n    provider: git\n',
    );
    const config = await loadConfig({
      file: 'config.yaml',
      env: { GITLAB_TOKEN: 'glpat-from-env' },
      cwd: dir,
    });
    expect(config.repositories.map((r) => r.name)).toEqual(['main-one', 'extra-one', 'extra-two']);
    expect(config.source).toEqual({
      file: path.join(dir, 'config.yaml'),
      repositoriesFile: path.join(dir, 'repos.yaml'),
    });
    expect(config.secrets).toEqual(['glpat-from-env']);
    expect(config.warnings).toEqual([
      'repositories_config.global_settings: accepted but has no effect; set enabled and the other options on each repository',
    ]);
  });

  it('numbers problems in repositories_config by their place in the merged list', async () => {
    await writeFile(
      path.join(dir, 'config.yaml'),
      `tekton: { event_listener_url: "${EL}" }\nrepositories_config: ./repos.yaml\nrepositories: [{ name: a, url: "https://github.com/o/a", provider: github }]\n`,
    );
    await writeFile(
      path.join(dir, 'repos.yaml'),
      'repositories:\n  - { name: b, url: "https://github.com/o/b", provider: github, token: "${GITHUB_TOKEN}" }\nextras: 1\n',
    );
    expect(
      await problemsOf(() =>
        loadConfig({ file: path.join(dir, 'config.yaml'), env: {}, cwd: dir }),
      ),
    ).toEqual([
      `repositories_config.extras: unknown key in ${path.join(dir, 'repos.yaml')} (expected repositories)`,
      'repositories[1].token: environment variable GITHUB_TOKEN is not set',
    ]);
  });

  it('names the file when the repositories file is missing', async () => {
    await writeFile(path.join(dir, 'config.yaml'), 'repositories_config: nowhere.yaml\n');
    expect(await problemsOf(() => loadConfig({ file: 'config.yaml', env: {}, cwd: dir }))).toEqual([
      `repositories_config: cannot read ${path.join(dir, 'nowhere.yaml')}: no such file`,
    ]);
  });

  it('names the file when it is missing or not YAML', async () => {
    expect(await problemsOf(() => loadConfig({ file: 'absent.yaml', env: {}, cwd: dir }))).toEqual([
      `${path.join(dir, 'absent.yaml')}: cannot read config file: no such file`,
    ]);
    await writeFile(path.join(dir, 'bad.yaml'), 'app:\n  name: [unclosed\n');
    const [problem] = await problemsOf(() => loadConfig({ file: 'bad.yaml', env: {}, cwd: dir }));
    expect(problem).toMatch(
      new RegExp(
        `^${path.join(dir, 'bad.yaml')}: not valid YAML: .+ \\(line \\d+, column \\d+\\)$`,
      ),
    );
  });

  it('resolves relative paths against cwd, as the Go project does', async () => {
    await writeFile(
      path.join(dir, 'c.yaml'),
      'app:\n  data_dir: var\n  log_file: logs/rs.log\nstorage:\n  sqlite:\n    path: db/x.db\n',
    );
    const config = await loadConfig({ file: path.join(dir, 'c.yaml'), env: {}, cwd: '/opt/rs' });
    expect(config.app.dataDir).toBe('/opt/rs/var');
    expect(config.app.logFile).toBe('/opt/rs/logs/rs.log');
    expect(config.storage.sqlitePath).toBe('/opt/rs/db/x.db');
  });

  it('loads an empty file as all defaults', async () => {
    await writeFile(path.join(dir, 'empty.yaml'), '# nothing yet\n');
    const config = await loadConfig({ file: path.join(dir, 'empty.yaml'), env: {} });
    expect(config.repositories).toEqual([]);
  });
});
