import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFromObject } from '../../src/config/load-config.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import { createFakeGitlab } from '../helpers/fake-gitlab.js';
import { runCli } from '../helpers/run-cli.js';
import type { FakeOwnerRepository } from '../helpers/github-owner-api.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { waitFor } from '../helpers/wait-for.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const TOKEN = 'ghp_discoveryDaemonToken0123456789';
const GITLAB_TOKEN = 'glpat-discoveryDaemonToken01';
const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);

interface RepositoryJson {
  readonly name: string;
  readonly source: string;
  readonly url: string;
  readonly branchRegex: string;
  readonly lastSuccessAt: string | null;
}

interface DiscoveryJson {
  readonly name: string;
  readonly state: string;
  readonly listed: number;
  readonly watched: number;
  readonly filteredOut: number;
  readonly lastError?: { code: string; failures: number };
  readonly overlaps: { path: string; watchedBy: string; reason: string }[];
}

/**
 * A daemon with a `discovery` entry for a GitHub organization on the loopback GitHub: what the
 * organization holds is polled as `<owner>/<repo>` with the template's settings, a repository
 * listed by hand wins, new ones start with a silent baseline, a repository is dropped only after
 * two reads miss it, a failed read keeps the list, and a reload reads again at once.
 */
describe('discovery in the daemon', () => {
  let github: FakeGithub;
  let receiver: WebhookReceiver;
  let dataDir: string;
  let daemon: TestDaemon | undefined;

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
    receiver = await createWebhookReceiver({ secret: 'discovery-secret' });
  });

  afterAll(async () => {
    await Promise.all([github.close(), receiver.close()]);
  });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-discovery-'));
    receiver.requests.length = 0;
    github.fault(undefined);
    github.resetStats();
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const org = (names: string[], extra: Record<string, Partial<FakeOwnerRepository>> = {}) => {
    github.setOrgRepositories(
      'acme',
      names.map((name) => ({ name, ...extra[name] })),
    );
    for (const name of names) {
      github.setRepo(`acme/${name}`, { branches: new Map([['main', SHA1]]), tags: new Map() });
    }
  };

  const raw = (discovery: Record<string, unknown> = {}, repositories: unknown[] = []) => ({
    app: { data_dir: dataDir },
    polling: { interval: '1h', jitter: 0 },
    tekton: { event_listener_url: receiver.url, secret: 'discovery-secret' },
    repositories,
    discovery: [
      {
        name: 'acme',
        provider: 'github',
        owner: 'acme',
        url: github.url,
        api_base_url: github.url,
        token: TOKEN,
        interval: '1h',
        template: { branch_regex: '^main$' },
        ...discovery,
      },
    ],
  });

  const repositories = async (): Promise<RepositoryJson[]> => {
    const response = await fetch(`${daemon?.baseUrl}/api/v1/repositories`);
    return ((await response.json()) as { repositories: RepositoryJson[] }).repositories;
  };
  const names = async () => (await repositories()).map((r) => r.name).sort();
  const status = async (): Promise<DiscoveryJson> => {
    const response = await fetch(`${daemon?.baseUrl}/api/v1/status`);
    const body = (await response.json()) as { discovery: DiscoveryJson[] };
    const entry = body.discovery[0];
    if (entry === undefined) throw new Error('no discovery entry in /api/v1/status');
    return entry;
  };

  it('watches what the organization holds, named owner/repo, with the template, and baselines it silently', async () => {
    org(['svc-a', 'svc-b', 'old'], { old: { archived: true } });
    daemon = await startTestDaemon(raw());
    await waitFor(async () => (await names()).length === 2, 10_000, 'two repositories found');
    const found = await repositories();
    expect(found.map((r) => [r.name, r.source, r.branchRegex])).toEqual([
      ['acme/svc-a', 'discovery/acme', '^main$'],
      ['acme/svc-b', 'discovery/acme', '^main$'],
    ]);
    // Their first polls are baselines: nothing is sent.
    await waitFor(
      async () => (await repositories()).every((r) => r.lastSuccessAt !== null),
      10_000,
      'first polls',
    );
    expect(receiver.requests).toHaveLength(0);
    const entry = await status();
    expect(entry).toMatchObject({ state: 'ok', listed: 3, watched: 2, filteredOut: 1 });
    const one = await fetch(
      `${daemon.baseUrl}/api/v1/repositories/${encodeURIComponent('acme/svc-a')}`,
    );
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ name: 'acme/svc-a', source: 'discovery/acme' });

    // A change after the baseline is delivered like any repository's.
    github.setBranch('acme/svc-a', 'main', SHA2);
    daemon.daemon.scheduler.pollNow('acme/svc-a');
    await receiver.waitFor((requests) => requests.length === 1, 10_000);
    expect(receiver.requests[0]?.json).toMatchObject({ after: SHA2 });
  });

  it('lets a repository listed by hand win, and reports the overlap once', async () => {
    org(['svc-a', 'svc-b']);
    const explicit = {
      name: 'billing',
      url: `${github.url}/acme/svc-b.git`,
      provider: 'github',
      api_base_url: github.url,
      token: TOKEN,
    };
    daemon = await startTestDaemon(raw({}, [explicit]));
    await waitFor(async () => (await names()).length === 2, 10_000, 'repositories found');
    expect(await names()).toEqual(['acme/svc-a', 'billing']);
    expect((await status()).overlaps).toEqual([
      { path: 'acme/svc-b', watchedBy: 'repositories', reason: 'url' },
    ]);
    await daemon.daemon.discovery.readNow('acme');
    await daemon.daemon.discovery.readNow('acme');
    const warned = daemon.logs
      .entries()
      .filter((r) => String(r['message']).startsWith('Discovered repository already watched'));
    expect(warned).toHaveLength(1);
  });

  it('adds a new repository at the next read and drops a removed one only when a second read agrees', async () => {
    org(['svc-a', 'svc-b']);
    daemon = await startTestDaemon(raw());
    await waitFor(async () => (await names()).length === 2, 10_000, 'repositories found');
    org(['svc-b', 'svc-c']);
    await daemon.daemon.discovery.readNow('acme');
    expect(await names()).toEqual(['acme/svc-a', 'acme/svc-b', 'acme/svc-c']);
    await daemon.daemon.discovery.readNow('acme');
    expect(await names()).toEqual(['acme/svc-b', 'acme/svc-c']);
    expect(daemon.daemon.scheduler.entry('acme/svc-a')).toBeUndefined();
    expect(
      daemon.logs
        .entries()
        .some((r) => r['message'] === 'Repository no longer watched: its state is forgotten'),
    ).toBe(true);
  });

  it('costs no quota when the organization is unchanged (every page a 304)', async () => {
    org(Array.from({ length: 150 }, (_, i) => `svc-${String(i).padStart(3, '0')}`));
    daemon = await startTestDaemon(raw({ include: '^acme/svc-00' }));
    await waitFor(async () => (await names()).length === 10, 10_000, 'ten repositories found');
    github.resetStats();
    await daemon.daemon.discovery.readNow('acme');
    const listings = github.requests.filter((r) => r.path.startsWith('/orgs/acme/repos'));
    expect(listings.length).toBe(2);
    expect(listings.every((r) => r.status === 304)).toBe(true);
    expect(await names()).toHaveLength(10);
  });

  it('keeps the last good list when a read fails, and shows the code', async () => {
    org(['svc-a', 'svc-b']);
    daemon = await startTestDaemon(raw());
    await waitFor(async () => (await names()).length === 2, 10_000, 'repositories found');
    github.fault({ kind: 'status', status: 401, path: /^\/orgs\// });
    await daemon.daemon.discovery.readNow('acme');
    await daemon.daemon.discovery.readNow('acme');
    expect(await names()).toEqual(['acme/svc-a', 'acme/svc-b']);
    const entry = await status();
    expect(entry.state).toBe('failing');
    expect(entry.lastError).toMatchObject({ code: 'forge-unauthorized', failures: 2 });
    const health = (await (await fetch(`${daemon.baseUrl}/health`)).json()) as {
      components: Record<string, { status: string }>;
    };
    expect(health.components['discovery']?.status).toBe('degraded');
    github.fault(undefined);
    await daemon.daemon.discovery.readNow('acme');
    expect((await status()).state).toBe('ok');
    const statusText = await (await fetch(`${daemon.baseUrl}/api/v1/status`)).text();
    expect(statusText + daemon.logs.text()).not.toContain(TOKEN);
  });

  it('reads again at once on a reload, and applies a new filter before that', async () => {
    org(['svc-a', 'svc-b']);
    daemon = await startTestDaemon(raw());
    await waitFor(async () => (await names()).length === 2, 10_000, 'repositories found');
    org(['svc-a', 'svc-b', 'svc-c']);
    const next = loadConfigFromObject(
      {
        ...raw({ exclude: 'svc-b$' }),
        app: { data_dir: dataDir, health_check_port: 0 },
        api: { listen_address: '127.0.0.1' },
      },
      { env: {} },
    );
    await daemon.daemon.applyConfig(next);
    expect(await names()).toEqual(['acme/svc-a']);
    await waitFor(
      async () => (await names()).join() === 'acme/svc-a,acme/svc-c',
      10_000,
      'the read after the reload',
    );
  });

  it('keeps the discovered repositories and their state across a restart', async () => {
    org(['svc-a']);
    daemon = await startTestDaemon(raw());
    await waitFor(
      async () => (await repositories()).some((r) => r.lastSuccessAt !== null),
      10_000,
      'first poll',
    );
    await daemon.stop();
    github.setBranch('acme/svc-a', 'main', SHA2);
    github.fault({ kind: 'status', status: 503, path: /^\/orgs\// });
    daemon = await startTestDaemon(raw());
    // The stored list is watched at once, though the host cannot list it now, and the change
    // made while the daemon was down is detected against the state kept (not a new baseline).
    expect(await names()).toEqual(['acme/svc-a']);
    daemon.daemon.scheduler.pollNow('acme/svc-a');
    await receiver.waitFor((requests) => requests.length === 1, 10_000);
  });

  it('is polled by poll --once --trigger as the daemon polls it, its state kept', async () => {
    org(['svc-a', 'svc-b']);
    const config = raw();
    daemon = await startTestDaemon(config);
    await waitFor(
      async () => (await repositories()).filter((r) => r.lastSuccessAt !== null).length === 2,
      10_000,
      'both baselined',
    );
    await daemon.stop();
    daemon = undefined;
    github.setBranch('acme/svc-a', 'main', SHA2);
    const file = path.join(dataDir, 'config.yaml');
    await writeFile(file, yaml.dump(config));
    const result = await runCli(['poll', '--once', '--trigger', '-c', file], { cwd: dataDir });
    // The host stand-in has no commits to describe (404); its API connections were still open
    // while the delivery asked (they used to be closed before the deliveries were sent).
    expect(result.stderr).not.toContain('could not be reached');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme/svc-a');
    expect(result.stdout).toContain('acme/svc-b');
    // A change, not a baseline: the state the daemon recorded was kept.
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.json).toMatchObject({ after: SHA2 });
  });

  it('keeps what an entry found when the entry is renamed', async () => {
    org(['svc-a']);
    daemon = await startTestDaemon(raw());
    await waitFor(
      async () => (await repositories()).some((r) => r.lastSuccessAt !== null),
      10_000,
      'first poll',
    );
    const renamed = loadConfigFromObject(
      {
        ...raw({ name: 'acme-org' }),
        app: { data_dir: dataDir, health_check_port: 0 },
        api: { listen_address: '127.0.0.1' },
      },
      { env: {} },
    );
    await daemon.daemon.applyConfig(renamed);
    expect((await repositories()).map((r) => [r.name, r.source])).toEqual([
      ['acme/svc-a', 'discovery/acme-org'],
    ]);
    expect(await daemon.daemon.storage.pollStates.get('acme/svc-a')).toBeDefined();
    expect(
      daemon.logs.entries().some((r) => String(r['message']).startsWith('Repository no longer')),
    ).toBe(false);
  });

  it('watches a GitLab group with its subgroups, each project by its full path', async () => {
    const gitlab = await createFakeGitlab({ token: GITLAB_TOKEN });
    try {
      gitlab.setGroupProjects('platform', [
        { path: 'platform/api' },
        { path: 'platform/tools/cli' },
        { path: 'platform/tools/old', archived: true },
      ]);
      for (const project of ['platform/api', 'platform/tools/cli']) {
        gitlab.setProject(project, { branches: new Map([['main', SHA1]]), tags: new Map() });
      }
      daemon = await startTestDaemon({
        ...raw(),
        discovery: [
          {
            name: 'platform',
            provider: 'gitlab',
            owner: 'platform',
            url: gitlab.url,
            token: GITLAB_TOKEN,
          },
        ],
      });
      await waitFor(
        async () => (await repositories()).filter((r) => r.lastSuccessAt !== null).length === 2,
        10_000,
        'both projects polled',
      );
      expect((await repositories()).map((r) => [r.name, r.source, r.url])).toEqual([
        ['platform/api', 'discovery/platform', `${gitlab.url}/platform/api.git`],
        ['platform/tools/cli', 'discovery/platform', `${gitlab.url}/platform/tools/cli.git`],
      ]);
      gitlab.setProject('platform/tools/cli', {
        branches: new Map([['main', SHA2]]),
        tags: new Map(),
      });
      daemon.daemon.scheduler.pollNow('platform/tools/cli');
      await receiver.waitFor((requests) => requests.length === 1, 10_000);
      expect(receiver.requests[0]?.json).toMatchObject({
        object_kind: 'push',
        after: SHA2,
        project: { path_with_namespace: 'platform/tools/cli' },
      });
    } finally {
      await daemon?.stop();
      daemon = undefined;
      await gitlab.close();
    }
  });
});
