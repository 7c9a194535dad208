import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitRepoFactory, type GitRepoFactory } from '../helpers/git-repo-factory.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const ENTRY = path.resolve(import.meta.dirname, '../../scripts/reposentry.ts');

function startDaemon(configFile: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, 'run', '-c', configFile], {
    env: { PATH: process.env.PATH, WEBHOOK_SECRET: 'crash-test-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('a daemon killed between detection and delivery', () => {
  let factory: GitRepoFactory;
  let receiver: WebhookReceiver;
  let dir: string;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers the change after restart, with one event, and exits 0 on SIGTERM', async () => {
    factory = await createGitRepoFactory();
    const repo = await factory.createBareRepo('app');
    await repo.commit('main', 'first');
    receiver = await createWebhookReceiver({ secret: 'crash-test-secret' });
    dir = await mkdtemp(path.join(tmpdir(), 'rs-crash-'));
    const configFile = path.join(dir, 'config.yaml');
    await writeFile(
      configFile,
      [
        'app:',
        `  data_dir: ${dir}`,
        '  health_check_port: 0',
        'api:',
        '  listen_address: 127.0.0.1',
        'polling:',
        '  interval: 1s',
        'tekton:',
        `  event_listener_url: ${receiver.url}`,
        '  secret: ${WEBHOOK_SECRET}',
        '  retry_backoff: 100ms',
        '  max_retry_backoff: 200ms',
        'repositories:',
        '  - name: app',
        `    url: ${repo.fileUrl}`,
        '    provider: git',
        '',
      ].join('\n'),
    );
    const dbFile = path.join(dir, 'reposentry.db');
    const first = startDaemon(configFile);
    children.push(first);
    // Baseline recorded, then a commit; the receiver holds the delivery open when it arrives.
    await waitFor(() => pollCount(dbFile) > 0, 20_000);
    receiver.hang(true);
    await repo.commit('main', 'second');
    await waitFor(() => inFlight(dbFile) > 0, 20_000);
    first.kill('SIGKILL');
    await exited(first);
    expect(receiver.deliveredIds()).toEqual([]);

    receiver.hang(false);
    const second = startDaemon(configFile);
    children.push(second);
    await receiver.waitFor((r) => r.some((x) => x.status === 200), 20_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const ids = receiver.deliveredIds();
    expect(ids).toHaveLength(1);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT status FROM deliveries').all()).toEqual([{ status: 'delivered' }]);
    } finally {
      db.close();
    }
  }, 60_000);
});

function query<T>(file: string, sql: string, fallback: T): T {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql).pluck().get() as T | undefined) ?? fallback;
    } finally {
      db.close();
    }
  } catch {
    return fallback;
  }
}

function pollCount(file: string): number {
  return query(file, 'SELECT count(*) FROM poll_state WHERE last_success_at IS NOT NULL', 0);
}

function inFlight(file: string): number {
  return query(file, "SELECT count(*) FROM deliveries WHERE status = 'in_flight'", 0);
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
