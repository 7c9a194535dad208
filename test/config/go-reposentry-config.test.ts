import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigFromObject } from '../../src/config/load-config.js';
import { validateCommand } from '../../src/cli/validate-command.js';

const FIXTURE = fileURLToPath(
  new URL('../fixtures/go-reposentry-production.yaml', import.meta.url),
);
const ENV = {
  GITHUB_TOKEN: 'ghp_go_fixture_1',
  GITLAB_TOKEN: 'glpat-go-fixture-2',
  CORP_GHE_TOKEN: 'ghe_go_fixture_3',
};

describe('a config written for the Go RepoSentry', () => {
  it('loads unchanged, and every Go knob that has a counterpart takes effect', async () => {
    const config = await loadConfig({ file: FIXTURE, env: ENV, cwd: '/srv/rs' });

    expect(config.app).toEqual({
      name: 'reposentry-prod',
      logLevel: 'info',
      logFormat: 'json',
      dataDir: '/srv/rs/state',
      healthCheckPort: 9090,
      logFile: '/srv/rs/logs/reposentry.log',
      logFileRotation: { maxSizeMb: 50, maxBackups: 7, maxAgeDays: 14, compress: true },
    });
    expect(config.polling).toMatchObject({
      intervalMs: 300_000,
      timeoutMs: 45_000,
      maxWorkers: 4,
      enableApiFallback: false,
      retryAttempts: 2,
      retryBackoffMs: 3000,
    });
    expect(config.storage).toMatchObject({
      sqlitePath: '/srv/rs/state/prod.db',
      busyTimeoutMs: 20_000,
    });
    expect(config.tekton).toMatchObject({
      eventListenerUrl: 'https://el.ci.example.org/hooks',
      timeoutMs: 45_000,
      retryAttempts: 4,
      retryBackoffMs: 2000,
      headers: { 'X-Environment': 'production', 'X-Team': 'platform' },
    });
    expect(config.rateLimit).toEqual({
      github: { requestsPerHour: 3000, requestsPerMinute: 900, burst: 12 },
      gitlab: { requestsPerSecond: 5, burst: 6 },
    });
    expect(config.security).toEqual({
      allowedEnvVars: ['GITHUB_TOKEN', 'GITLAB_TOKEN', 'CORP_*'],
      requireHttps: true,
    });
    expect(
      config.repositories.map((r) => [
        r.name,
        r.provider,
        r.token,
        r.pollingIntervalMs,
        r.enabled,
        r.payloadFormat,
      ]),
    ).toEqual([
      ['storefront', 'github', ENV.GITHUB_TOKEN, 180_000, true, 'github'],
      ['billing-api', 'gitlab', ENV.GITLAB_TOKEN, 600_000, true, 'gitlab'],
      ['ghe-tools', 'github', ENV.CORP_GHE_TOKEN, 300_000, false, 'github'],
    ]);
    expect(config.repositories[2]?.apiBaseUrl).toBe('https://ghe.example.org/api/v3');
    expect([...config.secrets].sort()).toEqual(Object.values(ENV).sort());
  });

  it('warns once for each Go key that has no effect here, naming the key and why', async () => {
    const config = await loadConfig({ file: FIXTURE, env: ENV });
    expect(config.warnings).toEqual([
      'polling.batch_size: accepted but has no effect; RepoSentry has no batches; polling.max_workers bounds how many polls run at once',
      'storage.sqlite.max_connections: accepted but has no effect; RepoSentry uses a single SQLite connection',
    ]);
  });

  it('accepts the Tekton bootstrap keys with a warning each', () => {
    const config = loadConfigFromObject(
      {
        tekton: {
          system_namespace: 'reposentry-system',
          bootstrap_pipeline: { enabled: true, namespace: 'x' },
        },
      },
      { env: {} },
    );
    expect(config.warnings).toEqual([
      'tekton.system_namespace: accepted but has no effect; RepoSentry does not install Tekton resources',
      'tekton.bootstrap_pipeline: accepted but has no effect; RepoSentry does not install Tekton resources',
    ]);
  });

  it('loads the Go basic sample shape: require_https with a local EventListener and wildcard allow-list', () => {
    const config = loadConfigFromObject(
      {
        tekton: {
          event_listener_url: 'http://localhost:8080/webhook',
          headers: { 'X-Source': 'reposentry', 'Content-Type': 'application/json' },
        },
        repositories: [
          {
            name: 'ent',
            url: 'https://ghe.example.com/org/repo',
            provider: 'github',
            token: '${CUSTOM_TOKEN_GHE}',
            branch_regex: '.*',
            enabled: false,
            api_base_url: 'https://ghe.example.com/api/v3',
          },
        ],
        rate_limit: {
          github: { requests_per_hour: 4000, burst: 10 },
          gitlab: { requests_per_second: 8, burst: 5 },
        },
        security: { allowed_env_vars: ['GITHUB_TOKEN', 'CUSTOM_TOKEN_*'], require_https: true },
      },
      { env: { CUSTOM_TOKEN_GHE: 'ghe-token-x' } },
    );
    expect(config.repositories[0]?.token).toBe('ghe-token-x');
  });

  it('is accepted by reposentry validate', async () => {
    const out: string[] = [];
    const code = await validateCommand.run(
      { values: { config: FIXTURE }, positionals: [] },
      {
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
        env: ENV,
        cwd: path.dirname(FIXTURE),
      },
    );
    expect(code).toBe(0);
    expect(out[0]).toBe('OK: 3 repositories\n');
  });
});
