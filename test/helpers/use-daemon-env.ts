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
import { afterEach, beforeEach } from 'vitest';
import { createGitRepoFactory, type BareRepo, type GitRepoFactory } from './git-repo-factory.js';
import { startTestDaemon, type TestDaemon } from './start-test-daemon.js';
import { createWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

export interface DaemonEnv {
  readonly factory: GitRepoFactory;
  readonly receiver: WebhookReceiver;
  readonly dataDir: string;
  /** The daemon `start` started last, until the test ends or `stop` stops it. */
  readonly daemon: TestDaemon | undefined;
  repo(name: string): BareRepo;
  /** Starts a daemon on `raw` (with `app.data_dir` set to `dataDir` unless given). */
  start(raw: Record<string, unknown>, env?: NodeJS.ProcessEnv): Promise<TestDaemon>;
  /** Stops the running daemon (a restart is `stop` then `start`). */
  stop(): Promise<void>;
}

interface Current {
  factory: GitRepoFactory;
  receiver: WebhookReceiver;
  dataDir: string;
  repos: Map<string, BareRepo>;
  daemon: TestDaemon | undefined;
}

export function useDaemonEnv(options: {
  readonly secret?: string;
  readonly repos?: readonly string[];
}): DaemonEnv {
  let current: Current | undefined;
  const need = (): Current => {
    if (current === undefined) throw new Error('useDaemonEnv: used outside a test');
    return current;
  };
  beforeEach(async () => {
    const factory = await createGitRepoFactory();
    const repos = new Map<string, BareRepo>();
    for (const name of options.repos ?? []) repos.set(name, await factory.createBareRepo(name));
    const receiver = await createWebhookReceiver(
      options.secret === undefined ? {} : { secret: options.secret },
    );
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rs-e2e-'));
    current = { factory, receiver, dataDir, repos, daemon: undefined };
  });
  afterEach(async () => {
    const { factory, receiver, dataDir, daemon } = need();
    current = undefined;
    await daemon?.stop();
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
    repo(name) {
      const repo = need().repos.get(name);
      if (repo === undefined) throw new Error(`useDaemonEnv: no repository ${name}`);
      return repo;
    },
    async start(raw, env = {}) {
      const open = need();
      await open.daemon?.stop();
      const app = { data_dir: open.dataDir, ...(raw.app as Record<string, unknown> | undefined) };
      open.daemon = await startTestDaemon({ ...raw, app }, env);
      return open.daemon;
    },
    async stop() {
      const open = need();
      const daemon = open.daemon;
      open.daemon = undefined;
      await daemon?.stop();
    },
  };
}
