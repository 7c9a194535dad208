import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import { makeTempDir, openStorage, REPO, sha } from '../../test/storage/storage-fixtures.js';
import { SqliteStorage } from './sqlite-storage.js';

const FAILURE = { code: 'forge-unavailable', message: 'HTTP 503', at: 1, nextPollAt: 2 };

describe('SqliteStorage', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  // What every engine does as a component is tested in test/storage/contract/lifecycle.test.ts.
  it('is a component on its file: sync stores, location, file size in its health', async () => {
    const storage = new SqliteStorage({
      path: path.join(dir, 'db', 'reposentry.db'),
      busyTimeoutMs: 500,
      log: createCaptureLogger().log,
    });
    expect(storage.health()).toMatchObject({ status: 'starting', details: { open: false } });
    expect(() => storage.sync.events.count()).toThrow(
      expect.objectContaining({ code: 'storage-failed' }),
    );
    expect(storage.location).toBe(path.join(dir, 'db', 'reposentry.db'));

    await storage.start();
    const health = storage.health();
    expect(health).toMatchObject({ status: 'healthy', details: { open: true } });
    expect(health.details?.sizeBytes).toBeGreaterThan(0);

    await storage.stop(new AbortController().signal);
    expect(storage.health()).toMatchObject({ status: 'stopped', details: { open: false } });
    expect(() => storage.sync.events.count()).toThrow(/closed/);
    await expect(storage.recordPollFailure(REPO, FAILURE)).rejects.toThrow(/closed/);
  });

  it('fails start with storage-corrupt for a foreign file', async () => {
    const file = path.join(dir, 'not-a-db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'x'.repeat(4096));
    const storage = new SqliteStorage({
      path: file,
      busyTimeoutMs: 100,
      log: createCaptureLogger().log,
    });
    await expect(storage.start()).rejects.toMatchObject({ code: 'storage-corrupt' });
    expect(storage.isOpen).toBe(false);
  });

  it('gives up with storage-busy after about the busy timeout when another connection writes', () => {
    const storage = openStorage(dir, { busyTimeoutMs: 300 });
    const other = new BetterSqlite3(storage.path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      expect(() =>
        storage.sync.httpCache.set(REPO.name, '/branches', { etag: 'W/"1"', body: '[]' }),
      ).toThrow(expect.objectContaining({ code: 'storage-busy', retryable: true }));
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(3_000);
      // Readers are not blocked by the writer in WAL mode.
      expect(storage.sync.events.count()).toBe(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    storage.sync.httpCache.set(REPO.name, '/branches', { etag: 'W/"1"', body: '[]' });
    storage.close();
  });

  // The stores every engine has are tested through `Storage` in test/storage/contract/; these
  // are methods only SQLite's synchronous stores have.
  it('moves the next poll of one repository, telling whether it knew it', () => {
    const storage = openStorage(dir);
    storage.sync.repositories.track(REPO);
    storage.sync.recordPoll({
      repository: REPO,
      refs: { upsert: [{ ref: 'refs/heads/main', sha: sha(1) }], remove: [] },
      events: [],
      targets: [],
      pollState: {
        polledAt: 1_000,
        nextPollAt: 1_010,
        via: 'api',
        baselined: { branch: true, tag: false, pull: false },
      },
    });
    expect(storage.sync.pollStates.setNextPollAt(REPO.name, 5)).toBe(true);
    expect(storage.sync.pollStates.setNextPollAt('unknown', 5)).toBe(false);
    expect(
      storage.sync.pollStates.list().map((p) => [p.repository, p.nextPollAt, p.baselined]),
    ).toEqual([[REPO.name, 5, { branch: true, tag: false, pull: false }]]);
    storage.close();
  });

  it('removes a repository only when it is watched', () => {
    const storage = openStorage(dir);
    storage.sync.repositories.track(REPO, 1_000);
    expect(storage.sync.repositories.remove('other')).toBe(false);
    expect(storage.sync.repositories.remove(REPO.name)).toBe(true);
    expect(storage.sync.repositories.get(REPO.name)).toBeUndefined();
    expect(storage.sync.repositories.remove(REPO.name)).toBe(false);
    storage.close();
  });
});
