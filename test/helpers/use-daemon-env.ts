/**
 * The set-up most end-to-end tests share, registered for every test of the calling `describe`:
 * a git repository factory with the named bare repositories (no commits yet), a receiver standing
 * in for the EventListener (checking signatures with `secret`), a data directory, and the
 * in-process daemon the test starts, stopped and cleaned up after each test.
 *
 *   const env = useDaemonEnv({ secret: 'x', repos: ['org/app'] });
 *   it('...', async () => {
 *     await env.repo('org/app').commit('main', 'first');
 *     const { daemon } = await env.start({ repositories: [...] });
 *   });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import type { StorageEngine } from '../storage/storage-engines.js';
import { createGitRepoFactory, type BareRepo, type GitRepoFactory } from './git-repo-factory.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './postgres-database.js';
import { startTestDaemon, type TestDaemon } from './start-test-daemon.js';
import { createWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

export interface DaemonEnv {
  readonly factory: GitRepoFactory;
  readonly receiver: WebhookReceiver;
  readonly dataDir: string;
  /** The daemon `start` started last, until the test ends or `stop` stops it. */
  readonly daemon: TestDaemon | undefined;
  repo(name: string): BareRepo;
  /** The test's PostgreSQL database (engine postgres). */
  readonly databaseUrl: string | undefined;
  /**
   * Starts a daemon on `raw` (with `app.data_dir` set to `dataDir` unless given, and the test's
   * storage unless `raw.storage` is given).
   */
  start(raw: Record<string, unknown>, env?: NodeJS.ProcessEnv): Promise<TestDaemon>;
  /**
   * Starts one more daemon on the same storage (a replica, engine postgres), with its own data
   * directory; stopped after the test unless the test stops it.
   */
  startReplica(raw: Record<string, unknown>, env?: NodeJS.ProcessEnv): Promise<TestDaemon>;
  /** Stops the running daemon (a restart is `stop` then `start`). */
  stop(): Promise<void>;
}

interface Current {
  factory: GitRepoFactory;
  receiver: WebhookReceiver;
  dataDir: string;
  repos: Map<string, BareRepo>;
  daemon: TestDaemon | undefined;
  replicas: TestDaemon[];
  database: TestDatabase | undefined;
}

export function useDaemonEnv(options: {
  readonly secret?: string;
  readonly repos?: readonly string[];
  /** The storage of the daemons (default sqlite); postgres is skipped when unavailable. */
  readonly engine?: StorageEngine;
}): DaemonEnv {
  let current: Current | undefined;
  let available = true;
  const engine = options.engine ?? 'sqlite';
  beforeAll(async () => {
    if (engine === 'postgres') available = await postgresAvailable();
  });
  const storageOf = (open: Current, raw: Record<string, unknown>): Record<string, unknown> => {
    if (raw.storage !== undefined || open.database === undefined) return raw;
    return { ...raw, storage: { type: 'postgres', postgres: { url: open.database.url } } };
  };
  const need = (): Current => {
    if (current === undefined) throw new Error('useDaemonEnv: used outside a test');
    return current;
  };
  beforeEach(async (context) => {
    if (!available) context.skip(`the ${engine} engine is not available`);
    const database = engine === 'postgres' ? await createTestDatabase() : undefined;
    const factory = await createGitRepoFactory();
    const repos = new Map<string, BareRepo>();
    for (const name of options.repos ?? []) repos.set(name, await factory.createBareRepo(name));
    const receiver = await createWebhookReceiver(
      options.secret === undefined ? {} : { secret: options.secret },
    );
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rs-e2e-'));
    current = { factory, receiver, dataDir, repos, daemon: undefined, replicas: [], database };
  });
  afterEach(async () => {
    if (current === undefined) return;
    const { factory, receiver, dataDir, daemon, replicas, database } = current;
    current = undefined;
    await Promise.all([daemon, ...replicas].map((d) => d?.stop() ?? Promise.resolve()));
    await database?.drop();
    await receiver.close();
    await factory.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    get factory() {
      return need().factory;
    },
    get receiver() {
      return need().receiver;
    },
    get dataDir() {
      return need().dataDir;
    },
    get daemon() {
      return need().daemon;
    },
    get databaseUrl() {
      return need().database?.url;
    },
    repo(name) {
      const repo = need().repos.get(name);
      if (repo === undefined) throw new Error(`useDaemonEnv: no repository ${name}`);
      return repo;
    },
    async start(raw, env = {}) {
      const open = need();
      await open.daemon?.stop();
      const app = { data_dir: open.dataDir, ...(raw.app as Record<string, unknown> | undefined) };
      open.daemon = await startTestDaemon(storageOf(open, { ...raw, app }), env);
      return open.daemon;
    },
    async startReplica(raw, env = {}) {
      const open = need();
      const dataDir = path.join(open.dataDir, `replica-${open.replicas.length + 1}`);
      const app = { data_dir: dataDir, ...(raw.app as Record<string, unknown> | undefined) };
      const replica = await startTestDaemon(storageOf(open, { ...raw, app }), env);
      open.replicas.push(replica);
      return replica;
    },
    async stop() {
      const open = need();
      const daemon = open.daemon;
      open.daemon = undefined;
      await daemon?.stop();
    },
  };
}
