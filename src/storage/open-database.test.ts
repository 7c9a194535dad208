import { writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReposentryError } from '../errors/reposentry-error.js';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import { makeTempDir } from '../../test/storage/storage-fixtures.js';
import { openDatabase } from './open-database.js';
import { MIGRATIONS } from './migrations/migrations.js';
import { listAppliedMigrations } from './migrations/run-migrations.js';

function catchError(fn: () => unknown): ReposentryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ReposentryError) return err;
    throw err;
  }
  throw new Error('expected a ReposentryError');
}

describe('openDatabase', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('creates the parent directory and opens in WAL mode with foreign keys on', () => {
    const file = path.join(dir, 'nested', 'data', 'reposentry.db');
    const db = openDatabase({ path: file, busyTimeoutMs: 250, log: createCaptureLogger().log });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(250);
    db.close();
  });

  it('applies every migration once and records version, name and time', () => {
    const file = path.join(dir, 'reposentry.db');
    const log = createCaptureLogger();
    const db = openDatabase({ path: file, busyTimeoutMs: 250, log: log.log, now: () => 1234 });
    const applied = listAppliedMigrations(db);
    expect(applied).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name, appliedAt: 1234 })),
    );
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'repositories',
        'ref_state',
        'poll_state',
        'http_cache',
        'events',
        'deliveries',
        'delivery_attempts',
        'schema_migrations',
      ]),
    );
    expect(log.entries().filter((e) => e.message === 'Migration applied')).toHaveLength(
      MIGRATIONS.length,
    );
    db.close();
  });

  it('is a no-op when reopened: nothing re-applied, data kept', () => {
    const file = path.join(dir, 'reposentry.db');
    const first = openDatabase({ path: file, busyTimeoutMs: 250, log: createCaptureLogger().log });
    first
      .prepare(
        "INSERT INTO repositories (name, provider, url, first_seen_at, last_seen_in_config_at) VALUES ('a', 'git', 'u', 1, 1)",
      )
      .run();
    first.close();
    const log = createCaptureLogger();
    const again = openDatabase({ path: file, busyTimeoutMs: 250, log: log.log, now: () => 999 });
    expect(listAppliedMigrations(again).map((m) => m.appliedAt)).not.toContain(999);
    expect(again.prepare('SELECT count(*) FROM repositories').pluck().get()).toBe(1);
    expect(log.entries().some((e) => e.message === 'Migration applied')).toBe(false);
    again.close();
  });

  it('rolls a failing migration back completely and records nothing', () => {
    const file = path.join(dir, 'reposentry.db');
    const broken = [
      ...MIGRATIONS,
      {
        version: 99,
        name: 'half-done',
        up: (db: BetterSqlite3.Database) => {
          db.exec('CREATE TABLE half (x INTEGER)');
          db.exec('THIS IS NOT SQL');
        },
      },
    ];
    const err = catchError(() =>
      openDatabase({
        path: file,
        busyTimeoutMs: 250,
        log: createCaptureLogger().log,
        migrations: broken,
      }),
    );
    expect(err.code).toBe('storage-failed');
    const db = new BetterSqlite3(file);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(
      0,
    );
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(
      MIGRATIONS.at(-1)?.version,
    );
    db.close();
  });

  it('refuses a database written by a newer RepoSentry', () => {
    const file = path.join(dir, 'reposentry.db');
    openDatabase({ path: file, busyTimeoutMs: 250, log: createCaptureLogger().log }).close();
    const raw = new BetterSqlite3(file);
    raw.prepare("INSERT INTO schema_migrations VALUES (1000, 'from-the-future', 1)").run();
    raw.close();
    const err = catchError(() =>
      openDatabase({ path: file, busyTimeoutMs: 250, log: createCaptureLogger().log }),
    );
    expect(err.code).toBe('storage-failed');
    expect(err.message).toContain('schema version 1000');
    expect(err.message).toContain(file);
  });

  it('reports a file that is not SQLite as storage-corrupt, naming the file', () => {
    const file = path.join(dir, 'garbage.db');
    writeFileSync(file, Buffer.alloc(8192, 'this is certainly not a SQLite database '));
    const err = catchError(() =>
      openDatabase({ path: file, busyTimeoutMs: 250, log: createCaptureLogger().log }),
    );
    expect(err.code).toBe('storage-corrupt');
    expect(err.message).toContain(file);
  });

  it('reports a path it cannot open as storage-failed', () => {
    const err = catchError(() =>
      openDatabase({ path: dir, busyTimeoutMs: 250, log: createCaptureLogger().log }),
    );
    expect(err.code).toBe('storage-failed');
    expect(err.message).toContain(dir);
  });

  it('opens a current database while another connection writes, but waits then reports storage-busy when it must migrate', () => {
    const current = path.join(dir, 'current.db');
    openDatabase({ path: current, busyTimeoutMs: 200, log: createCaptureLogger().log }).close();
    const fresh = path.join(dir, 'fresh.db');
    const writers = [new BetterSqlite3(current), new BetterSqlite3(fresh)];
    writers[1]?.pragma('journal_mode = WAL');
    for (const writer of writers) writer.exec('BEGIN IMMEDIATE');
    try {
      openDatabase({ path: current, busyTimeoutMs: 200, log: createCaptureLogger().log }).close();
      const started = performance.now();
      const err = catchError(() =>
        openDatabase({ path: fresh, busyTimeoutMs: 200, log: createCaptureLogger().log }),
      );
      expect(err).toMatchObject({ code: 'storage-busy', retryable: true });
      expect(err.message).toContain(fresh);
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      for (const writer of writers) {
        writer.exec('ROLLBACK');
        writer.close();
      }
    }
  });
});
