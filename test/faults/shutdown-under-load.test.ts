import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeDaemonConfig } from '../helpers/daemon-config.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { createGitRepoFactory, type GitRepoFactory } from '../helpers/git-repo-factory.js';
import { queryDb } from '../helpers/query-db.js';
import { waitFor } from '../helpers/wait-for.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const countRows = (file: string, sql: string): number => queryDb(file, sql, 0);

const SECRET = 'shutdown-secret';

describe('SIGTERM while 300 deliveries are queued for a slow EventListener', () => {
  let factory: GitRepoFactory;
  let receiver: WebhookReceiver;
  let dir: string;
  let daemon: DaemonProcess | undefined;

  afterEach(async () => {
    daemon?.kill('SIGKILL');
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops within the deadline with nothing left in flight, and delivers the rest after restart', async () => {
    factory = await createGitRepoFactory();
    const repo = await factory.createBareRepo('app');
    await repo.commit('main', 'first');
    receiver = await createWebhookReceiver({ secret: SECRET });
    receiver.delay(200);
    dir = await mkdtemp(path.join(tmpdir(), 'rs-shutdown-'));
    const configFile = await writeDaemonConfig(dir, receiver.url, {
      tekton: { secret: SECRET, retry_backoff: '1s', max_retry_backoff: '5m' },
      repositories: [{ name: 'app', url: repo.fileUrl, provider: 'git', branch_regex: '.*' }],
    });
    const dbFile = path.join(dir, 'reposentry.db');
    daemon = startDaemonProcess(configFile);
    await daemon.ready();
    await waitFor(() => countRows(dbFile, 'SELECT count(*) FROM poll_state') > 0);
    await repo.createBranches('load/', 300, 'main');
    await receiver.waitFor((requests) => requests.length >= 20, 20_000);

    const stoppingAt = Date.now();
    daemon.kill('SIGTERM');
    const code = await daemon.exited();
    expect(code, daemon.output().slice(-3000)).toBe(0);
    expect(Date.now() - stoppingAt).toBeLessThan(20_000);
    expect(daemon.output()).toContain('RepoSentry stopped');
    expect(countRows(dbFile, "SELECT count(*) FROM deliveries WHERE status = 'in_flight'")).toBe(0);
    const left = countRows(dbFile, "SELECT count(*) FROM deliveries WHERE status = 'pending'");
    expect(left).toBeGreaterThan(0);

    receiver.delay(0);
    daemon = startDaemonProcess(configFile);
    await daemon.ready();
    await waitFor(
      () => countRows(dbFile, "SELECT count(*) FROM deliveries WHERE status = 'delivered'") === 300,
      30_000,
    );
    const ids = receiver.deliveredIds();
    expect(new Set(ids).size).toBe(300);
    // Answers the slow listener had not sent when the daemon stopped are sent again: few.
    expect(ids.length - 300).toBeLessThanOrEqual(16);
    daemon.kill('SIGTERM');
    expect(await daemon.exited()).toBe(0);
  }, 90_000);
});
