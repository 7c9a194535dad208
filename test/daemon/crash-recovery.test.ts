import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { writeDaemonConfig } from '../helpers/daemon-config.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { createGitRepoFactory, type GitRepoFactory } from '../helpers/git-repo-factory.js';
import { queryDb } from '../helpers/query-db.js';
import { waitFor } from '../helpers/wait-for.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const ENV = { WEBHOOK_SECRET: 'crash-test-secret' };

describe('a daemon killed between detection and delivery', () => {
  let factory: GitRepoFactory;
  let receiver: WebhookReceiver;
  let dir: string;
  const children: DaemonProcess[] = [];

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
    const configFile = await writeDaemonConfig(dir, receiver.url, {
      tekton: { secret: '${WEBHOOK_SECRET}' },
      repositories: [{ name: 'app', url: repo.fileUrl, provider: 'git' }],
    });
    const dbFile = path.join(dir, 'reposentry.db');
    const first = startDaemonProcess(configFile, ENV);
    children.push(first);
    // Baseline recorded, then a commit; the receiver holds the delivery open when it arrives.
    await waitFor(() => pollCount(dbFile) > 0, 20_000);
    receiver.hang(true);
    await repo.commit('main', 'second');
    await waitFor(() => inFlight(dbFile) > 0, 20_000);
    first.kill('SIGKILL');
    await first.exited();
    expect(receiver.deliveredIds()).toEqual([]);

    receiver.hang(false);
    const second = startDaemonProcess(configFile, ENV);
    children.push(second);
    await receiver.waitFor((r) => r.some((x) => x.status === 200), 20_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const ids = receiver.deliveredIds();
    expect(ids).toHaveLength(1);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
    second.kill('SIGTERM');
    expect(await second.exited()).toBe(0);
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT status FROM deliveries').all()).toEqual([{ status: 'delivered' }]);
    } finally {
      db.close();
    }
  }, 60_000);
});

function pollCount(file: string): number {
  return queryDb(file, 'SELECT count(*) FROM poll_state WHERE last_success_at IS NOT NULL', 0);
}

function inFlight(file: string): number {
  return queryDb(file, "SELECT count(*) FROM deliveries WHERE status = 'in_flight'", 0);
}
