import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import {
  BASELINED,
  makeTempDir,
  openStorage,
  REPO,
  sha,
} from '../../test/storage/storage-fixtures.js';
import { SqliteStorage } from './sqlite-storage.js';

const FAILURE = { code: 'forge-unavailable', message: 'HTTP 503', at: 1, nextPollAt: 2 };

describe('SqliteStorage', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('is a component: starting, healthy with its file size while open, stopped after stop', async () => {
    const storage = new SqliteStorage({
      path: path.join(dir, 'db', 'reposentry.db'),
      busyTimeoutMs: 500,
      log: createCaptureLogger().log,
    });
    expect(storage.name).toBe('storage');
    expect(storage.health().status).toBe('starting');
    expect(() => storage.sync.events.count()).toThrow(
      expect.objectContaining({ code: 'storage-failed' }),
    );
    // Through the Storage interface, the same failure is a rejection.
    await expect(storage.events.count()).rejects.toMatchObject({ code: 'storage-failed' });
    expect(storage.location).toBe(path.join(dir, 'db', 'reposentry.db'));

    await storage.start();
    await storage.start(); // already open: no-op
    const health = storage.health();
    expect(health).toMatchObject({ status: 'healthy', details: { open: true } });
    expect(health.details?.sizeBytes).toBeGreaterThan(0);

    await storage.stop(new AbortController().signal);
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

  it('keeps the HTTP cache across restarts and clears it per repository', () => {
    let storage = openStorage(dir);
    storage.sync.httpCache.set(REPO.name, '/repos/org/my-app/branches?page=1', {
      etag: 'W/"a"',
      body: '[1]',
    });
    storage.sync.httpCache.set(REPO.name, '/repos/org/my-app/branches?page=1', {
      etag: 'W/"b"',
      body: '[2]',
    });
    storage.sync.httpCache.set('other', '/x', { etag: '"c"', body: '{}' });
    storage.close();

    storage = openStorage(dir);
    expect(storage.sync.httpCache.get(REPO.name, '/repos/org/my-app/branches?page=1')).toEqual({
      etag: 'W/"b"',
      body: '[2]',
    });
    storage.sync.httpCache.clear(REPO.name);
    expect(
      storage.sync.httpCache.get(REPO.name, '/repos/org/my-app/branches?page=1'),
    ).toBeUndefined();
    expect(storage.sync.httpCache.get('other', '/x')).toBeDefined();
    storage.close();
  });

  it('syncs repositories from config and forgets a removed one with its state', () => {
    const storage = openStorage(dir);
    const other = { name: 'other', provider: 'git', url: 'https://git.test/other.git' } as const;
    expect(storage.sync.repositories.syncFromConfig([REPO, other], 1_000)).toEqual({
      added: [REPO.name, 'other'],
      repointed: [],
      removed: [],
    });
    storage.sync.recordPollFailure(other, {
      code: 'git-timeout',
      message: 'timed out',
      at: 1_500,
      nextPollAt: 4_000,
    });
    storage.sync.httpCache.set('other', '/x', { etag: '"c"', body: '{}' });
    expect(storage.sync.repositories.syncFromConfig([REPO], 2_000)).toEqual({
      added: [],
      repointed: [],
      removed: ['other'],
    });
    expect(storage.sync.repositories.get(REPO.name)).toEqual({
      ...REPO,
      firstSeenAt: 1_000,
      lastSeenInConfigAt: 2_000,
    });
    expect(storage.sync.repositories.get('other')).toBeUndefined();
    expect(storage.sync.pollStates.get('other')).toBeUndefined();
    expect(storage.sync.httpCache.get('other', '/x')).toBeUndefined();
    // Not watched any more: a poll still in flight records nothing.
    expect(() =>
      storage.sync.recordPollFailure(other, {
        code: 'internal',
        message: 'x',
        at: 3_000,
        nextPollAt: 0,
      }),
    ).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(storage.sync.repositories.remove('other')).toBe(false);
    storage.close();
  });

  it('forgets the state of a repository whose url changed, keeping its transition counts', () => {
    const storage = openStorage(dir);
    storage.sync.repositories.track(REPO, 1_000);
    storage.sync.recordPoll({
      repository: REPO,
      refs: { upsert: [{ ref: 'refs/heads/main', sha: sha(1) }], remove: [] },
      events: [],
      targets: [],
      pollState: { polledAt: 1_000, nextPollAt: 2_000, via: 'api', baselined: BASELINED },
    });
    storage.sync.refTransitions.advance(REPO.name, 'refs/heads/main', 1);
    const moved = { ...REPO, url: 'https://github.com/org/moved' };
    expect(storage.sync.repositories.syncFromConfig([moved], 3_000)).toMatchObject({
      repointed: [REPO.name],
    });
    expect(storage.sync.repositories.isCurrent(REPO)).toBe(false);
    expect(storage.sync.repositories.isCurrent(moved)).toBe(true);
    expect(storage.sync.repositories.get(REPO.name)).toMatchObject({ firstSeenAt: 3_000 });
    expect(storage.sync.refStates.shas(REPO.name).size).toBe(0);
    expect(storage.sync.pollStates.get(REPO.name)).toBeUndefined();
    expect(storage.sync.refTransitions.lastNumbers(REPO.name, ['refs/heads/main'])).toEqual(
      new Map([['refs/heads/main', 1]]),
    );
    storage.close();
  });

  it('leaves an unchanged ref untouched and moves next poll on request', () => {
    const storage = openStorage(dir);
    storage.sync.repositories.track(REPO);
    const poll = (at: number, refSha: string): void => {
      storage.sync.recordPoll({
        repository: REPO,
        refs: { upsert: [{ ref: 'refs/heads/main', sha: refSha }], remove: [] },
        events: [],
        targets: [],
        pollState: {
          polledAt: at,
          nextPollAt: at + 10,
          via: 'api',
          baselined: { branch: true, tag: false },
        },
      });
    };
    poll(1_000, sha(1));
    poll(2_000, sha(1));
    expect(storage.sync.refStates.list(REPO.name).get('refs/heads/main')).toEqual({
      ref: 'refs/heads/main',
      sha: sha(1),
      seenAt: 1_000,
      updatedAt: 1_000,
    });
    poll(3_000, sha(2));
    expect(storage.sync.refStates.list(REPO.name).get('refs/heads/main')).toMatchObject({
      seenAt: 1_000,
      updatedAt: 3_000,
    });
    expect(storage.sync.pollStates.setNextPollAt(REPO.name, 5)).toBe(true);
    expect(storage.sync.pollStates.setNextPollAt('unknown', 5)).toBe(false);
    expect(
      storage.sync.pollStates.list().map((p) => [p.repository, p.nextPollAt, p.baselined]),
    ).toEqual([[REPO.name, 5, { branch: true, tag: false }]]);
    storage.sync.pollStates.setNextPollAts(
      new Map([
        [REPO.name, 7],
        ['unknown', 8],
      ]),
    );
    expect(storage.sync.pollStates.nextPollAts()).toEqual(new Map([[REPO.name, 7]]));
    storage.close();
  });
});
