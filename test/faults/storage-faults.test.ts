import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDaemonConfig } from '../helpers/daemon-config.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { queryDb } from '../helpers/query-db.js';
import { waitFor } from '../helpers/wait-for.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'storage-fault-secret';

describe('storage faults', () => {
  let factory: GitRepoFactory;
  let repo: BareRepo;
  let receiver: WebhookReceiver;
  let dir: string;
  let daemon: DaemonProcess | undefined;
  let holder: ChildProcess | undefined;
  let mounted: string | undefined;

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    repo = await factory.createBareRepo('app');
    await repo.commit('main', 'first');
    receiver = await createWebhookReceiver({ secret: SECRET });
    dir = await mkdtemp(path.join(tmpdir(), 'rs-storage-fault-'));
  });

  afterEach(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.exited();
    daemon = undefined;
    holder?.kill('SIGKILL');
    holder = undefined;
    if (mounted) execFileSync('umount', ['-l', mounted]);
    mounted = undefined;
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const writeConfig = (dataDir: string, busyTimeout = '5s'): Promise<string> =>
    writeDaemonConfig(dir, receiver.url, {
      app: { data_dir: dataDir },
      storage: { sqlite: { connection_timeout: busyTimeout } },
      tekton: { secret: SECRET },
      repositories: [{ name: 'app', url: repo.fileUrl, provider: 'git' }],
    });

  it('refuses to start on a corrupt database, says so, and leaves the file untouched', async () => {
    const dbFile = path.join(dir, 'reposentry.db');
    const garbage = Buffer.alloc(8192, 'this is not a database ');
    await writeFile(dbFile, garbage);
    daemon = startDaemonProcess(await writeConfig(dir));
    expect(await daemon.exited()).toBe(1);
    expect(daemon.output()).toContain('storage-corrupt');
    expect(daemon.output()).toContain(
      `Database file ${dbFile} is corrupt or not a SQLite database`,
    );
    expect(readFileSync(dbFile).equals(garbage)).toBe(true);
  }, 30_000);

  it('refuses to start while another process holds the database locked', async () => {
    const dbFile = path.join(dir, 'reposentry.db');
    new Database(dbFile).close();
    holder = await holdExclusiveLock(dbFile);
    daemon = startDaemonProcess(await writeConfig(dir, '300ms'));
    expect(await daemon.exited()).toBe(1);
    expect(daemon.output()).toContain('storage-busy');
    expect(daemon.output()).toContain(`Database file ${dbFile} is locked by another connection`);
  }, 30_000);

  it('loses nothing while the database is locked for a while mid-run', async () => {
    const dbFile = path.join(dir, 'reposentry.db');
    daemon = startDaemonProcess(await writeConfig(dir, '200ms'));
    await daemon.ready();
    await waitFor(() => polled(dbFile) > 0);
    holder = await holdExclusiveLock(dbFile);
    const sha = await repo.commit('main', 'while locked');
    await waitFor(() => daemon!.output().includes('storage-busy'), 15_000);
    expect(receiver.requests).toHaveLength(0);
    holder.kill('SIGKILL');
    holder = undefined;
    await receiver.waitFor((requests) => requests.some((r) => r.json.after === sha), 20_000);
    expect(receiver.deliveredIds()).toHaveLength(1);
  }, 60_000);

  it('loses nothing when the disk fills up, and goes on once there is room', async (ctx) => {
    const mount = path.join(dir, 'small-disk');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount], { stdio: 'pipe' });
    } catch {
      ctx.skip('needs a tmpfs mount (root): run as root to simulate a full disk');
      return;
    }
    mounted = mount;
    const dbFile = path.join(mount, 'reposentry.db');
    daemon = startDaemonProcess(await writeConfig(mount));
    await daemon.ready();
    await waitFor(() => polled(dbFile) > 0);
    const filler = path.join(mount, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=1000'], {
        stdio: 'pipe',
      });
    } catch {
      // "No space left on device" is the point: the disk is now full.
    }
    const shas: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      await repo.createBranch(`full/${i}`, 'main');
      shas.push(await repo.commit(`full/${i}`, `on a full disk ${i}`));
    }
    await waitFor(() => /database or disk is full|SQLITE_FULL/.test(daemon!.output()), 20_000);
    await unlink(filler);
    await receiver.waitFor(
      (requests) => shas.every((sha) => requests.some((r) => r.json.after === sha)),
      30_000,
    );
    const ids = receiver.deliveredIds();
    expect(new Set(ids).size).toBe(20);
    expect(receiver.requests.every((r) => r.signatureValid === true)).toBe(true);
  }, 90_000);
});

/** Another process that opens the database and holds an exclusive lock until killed. */
async function holdExclusiveLock(dbFile: string): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(dbFile)});
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  return child;
}

function polled(dbFile: string): number {
  return queryDb(dbFile, 'SELECT count(*) FROM poll_state WHERE last_success_at IS NOT NULL', 0);
}
