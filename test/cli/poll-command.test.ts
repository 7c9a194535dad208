import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import yaml from 'js-yaml';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { runCli } from '../helpers/run-cli.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { SqliteStorage } from '../../src/storage/sqlite-storage.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createFakeGithub } from '../helpers/fake-github.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../helpers/postgres-database.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';

/** Every row of every table, read with a fresh connection. */
function dumpDatabase(file: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((name) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]),
    );
  } finally {
    db.close();
  }
}

const SECRET = 'poll-once-secret-7d2a';

describe('reposentry poll --once', () => {
  let factory: GitRepoFactory;
  let app: BareRepo;
  let lib: BareRepo;
  let receiver: WebhookReceiver;
  let dir: string;
  let configFile: string;

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    app = await factory.createBareRepo('org/app');
    lib = await factory.createBareRepo('org/lib');
    await app.commit('main', 'first');
    await lib.commit('main', 'first');
    receiver = await createWebhookReceiver({ secret: SECRET });
    dir = await mkdtemp(path.join(tmpdir(), 'rs-poll-'));
    configFile = path.join(dir, 'config.yaml');
    await writeConfig([
      { name: 'app', url: app.fileUrl },
      { name: 'lib', url: lib.fileUrl },
    ]);
  });

  afterEach(async () => {
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function writeConfig(repositories: Record<string, unknown>[]): Promise<void> {
    const config = {
      app: { data_dir: dir },
      tekton: { event_listener_url: receiver.url, secret: SECRET, retry_backoff: '1m' },
      repositories: repositories.map((r) => ({ provider: 'git', branch_regex: '.*', ...r })),
    };
    await writeFile(configFile, yaml.dump(config));
  }

  const poll = (...extra: string[]) =>
    runCli(['poll', '--once', '-c', configFile, ...extra], { cwd: dir });

  async function recorded(): Promise<{ events: number; deliveries: number; polled: number }> {
    const storage = new SqliteStorage({
      path: path.join(dir, 'reposentry.db'),
      busyTimeoutMs: 1000,
      log: createCaptureLogger().log,
    });
    await storage.start();
    try {
      const counts = await storage.deliveries.countByStatus();
      const polls = await Promise.all(['app', 'lib'].map((name) => storage.pollStates.get(name)));
      return {
        events: (await storage.events.list({ limit: 100 })).events.length,
        deliveries: counts.pending + counts.in_flight + counts.delivered + counts.failed,
        polled: polls.filter((poll) => poll !== undefined).length,
      };
    } finally {
      await storage.stop(AbortSignal.timeout(1000));
    }
  }

  it('is a dry run by default: prints what would fire and records and sends nothing', async () => {
    const baseline = await poll('--trigger');
    expect(baseline.code).toBe(0);
    expect(baseline.stdout).toMatch(
      /^app +ok +via ls-remote, 1 refs, .*first poll: baseline only/m,
    );

    const sha = await app.commit('main', 'second');
    await app.createBranch('feature/x', 'main');
    const dry = await poll();
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`branch\\.updated +main +\\w{7} -> ${sha.slice(0, 7)}`));
    expect(dry.stdout).toMatch(/branch\.created +feature\/x +new -> \w{7}/);
    expect(dry.stdout).toMatch(/2 polled, 2 changes, 0 failed; dry run: nothing recorded or sent/);
    expect(receiver.requests).toHaveLength(0);
    expect(await recorded()).toEqual({ events: 0, deliveries: 0, polled: 2 });

    // The dry run changed nothing: the same changes are still there to detect.
    const again = await poll('--json');
    const report = JSON.parse(again.stdout) as {
      recorded: boolean;
      repositories: { repository: string; ok: boolean; events: { type: string; ref: string }[] }[];
    };
    expect(report.recorded).toBe(false);
    const appEvents = report.repositories.find((r) => r.repository === 'app')?.events ?? [];
    expect(appEvents.map((e) => `${e.type} ${e.ref}`).sort()).toEqual([
      'branch.created refs/heads/feature/x',
      'branch.updated refs/heads/main',
    ]);
  });

  it('writes nothing in a dry run: no database on a first run, no HTTP cache of a GitHub repository', async () => {
    const github = await createFakeGithub();
    try {
      github.setRepo('org/gh', await app.refs());
      await writeConfig([
        {
          name: 'gh',
          url: 'https://github.com/org/gh',
          provider: 'github',
          api_base_url: github.url,
        },
      ]);
      const database = path.join(dir, 'reposentry.db');
      expect((await poll()).code).toBe(0);
      expect(existsSync(database)).toBe(false);

      expect((await poll('--trigger')).code).toBe(0);
      const before = dumpDatabase(database);
      github.setBranch('org/gh', 'feature', 'f'.repeat(40));
      const dry = await poll();
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/branch\.created +feature/);
      expect(dumpDatabase(database)).toEqual(before);
    } finally {
      await github.close();
    }
  });

  it('--trigger records the changes like the daemon and delivers them signed, once', async () => {
    await poll('--trigger');
    await app.commit('main', 'second');
    const fired = await poll('--trigger');
    expect(fired.code).toBe(0);
    expect(fired.stdout).toMatch(/2 polled, 1 change, 0 failed; changes recorded/);
    expect(fired.stdout).toMatch(
      /delivery +delivered +event [0-9a-f-]{36} -> http:\/\/127\.0\.0\.1:\d+\/ HTTP 200/,
    );
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.signatureValid).toBe(true);
    expect(receiver.requests[0]?.json.ref).toBe('refs/heads/main');
    expect(await recorded()).toMatchObject({ events: 1, deliveries: 1 });

    const quiet = await poll('--trigger');
    expect(quiet.stdout).toMatch(/2 polled, 0 changes, 0 failed/);
    expect(receiver.requests).toHaveLength(1);
  });

  it('--trigger exits 1 when the EventListener rejects a delivery, which stays failed', async () => {
    await poll('--trigger');
    await lib.commit('main', 'second');
    receiver.respondWith(400);
    const result = await poll('--trigger', '--json');
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as {
      deliveries: { status: string; statusCode: number }[];
    };
    expect(json.deliveries).toEqual([
      expect.objectContaining({ status: 'failed', statusCode: 400 }),
    ]);
  });

  it('reports a repository that cannot be polled with its code, polls the others, exits 1', async () => {
    await writeConfig([
      { name: 'app', url: app.fileUrl },
      { name: 'gone', url: `${app.fileUrl}-missing` },
    ]);
    const result = await poll();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^app +ok/m);
    expect(result.stdout).toMatch(/^gone +FAILED +forge-not-found: /m);
    expect(result.stdout).toMatch(/2 polled, 0 changes, 1 failed/);
  });

  it('--repository polls only the named repository and rejects an unknown name', async () => {
    const one = await poll('--repository', 'lib');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^lib +ok/m);
    expect(one.stdout).not.toMatch(/^app /m);

    const unknown = await poll('--repository', 'nope');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("no repository named 'nope' in the config (known: app, lib)");
  });

  it('needs --once, and exits 2 on an invalid config', async () => {
    const missing = await runCli(['poll', '-c', configFile], { cwd: dir });
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('--once is required');

    await writeFile(configFile, 'polling:\n  interval: soon\n');
    const bad = await poll();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('polling.interval');
  });
});

describe('reposentry poll --once on PostgreSQL', () => {
  let available = false;
  let database: TestDatabase | undefined;
  let factory: GitRepoFactory;
  let app: BareRepo;
  let receiver: WebhookReceiver;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    available = await postgresAvailable();
  });
  beforeEach(async (context) => {
    if (!available) context.skip('PostgreSQL is not available');
    database = await createTestDatabase();
    factory = await createGitRepoFactory();
    app = await factory.createBareRepo('org/app');
    await app.commit('main', 'first');
    receiver = await createWebhookReceiver({ secret: SECRET });
    dir = await mkdtemp(path.join(tmpdir(), 'rs-poll-pg-'));
    configFile = path.join(dir, 'config.yaml');
    const url = new URL(database.url);
    url.password = 'pg-password-never-shown';
    await writeFile(
      configFile,
      yaml.dump({
        app: { data_dir: dir },
        storage: { type: 'postgres', postgres: { url: url.toString() } },
        tekton: { event_listener_url: receiver.url, secret: SECRET, retry_backoff: '1m' },
        repositories: [{ name: 'app', url: app.fileUrl, provider: 'git', branch_regex: '.*' }],
      }),
    );
  });
  afterEach(async () => {
    if (database === undefined) return;
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
    await database.drop();
    database = undefined;
  });

  const poll = (...extra: string[]) =>
    runCli(['poll', '--once', '-c', configFile, ...extra], { cwd: dir });

  it('reads in a dry run and records and delivers with --trigger, keeping other repositories', async () => {
    const storage = new PostgresStorage({
      url: database?.url ?? '',
      maxConnections: 2,
      log: createCaptureLogger().log,
    });
    await storage.start();
    try {
      // A repository the replicas watch that this config does not name: never dropped here.
      await storage.repositories.track({ name: 'other', provider: 'git', url: 'file:///x' });
      expect((await poll('--trigger')).code).toBe(0);
      const sha = await app.commit('main', 'second');
      const dry = await poll();
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(
        new RegExp(`branch\\.updated +main +\\w{7} -> ${sha.slice(0, 7)}`),
      );
      expect(await storage.events.count()).toBe(0);

      const fired = await poll('--trigger');
      expect(fired.code).toBe(0);
      expect(fired.stdout).toMatch(/1 polled, 1 change, 0 failed; changes recorded/);
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]?.json).toMatchObject({ after: sha });
      expect(await storage.deliveries.countByStatus()).toMatchObject({ delivered: 1 });
      expect(await storage.repositories.get('other')).toBeDefined();
      for (const output of [dry, fired]) {
        expect(output.stdout + output.stderr).not.toContain('pg-password-never-shown');
      }
    } finally {
      await storage.stop(AbortSignal.timeout(1000));
    }
  });

  it('--trigger leaves the sending to the replicas running on the database', async () => {
    const storage = new PostgresStorage({
      url: database?.url ?? '',
      maxConnections: 2,
      log: createCaptureLogger().log,
    });
    await storage.start();
    try {
      expect((await poll('--trigger')).code).toBe(0);
      // A replica is running (heartbeating).
      const replica = { id: 'h/1/x', host: 'h', pid: 1, version: '0', startedAt: Date.now() };
      await storage.cluster?.join(replica);
      await app.commit('main', 'second');
      const fired = await poll('--trigger');
      expect(fired.code).toBe(0);
      expect(fired.stdout).toMatch(/1 polled, 1 change, 0 failed; changes recorded/);
      expect(fired.stdout).toMatch(/deliveries are sent by the replicas running on this database/);
      expect(receiver.requests).toHaveLength(0);
      expect(await storage.deliveries.countByStatus()).toMatchObject({ pending: 1 });
    } finally {
      await storage.stop(AbortSignal.timeout(1000));
    }
  });
});
