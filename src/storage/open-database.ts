import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ReposentryError } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import { mapStorageError } from './map-storage-error.js';
import { MIGRATIONS } from './migrations/migrations.js';
import type { Migration } from './migrations/migration.js';
import { runMigrations } from './migrations/run-migrations.js';
import type { EpochMs } from './storage-types.js';

export interface OpenDatabaseOptions {
  /** The SQLite file (storage.sqlite.path); its directory is created when missing. */
  readonly path: string;
  /** How long a statement waits for another connection's lock (storage.sqlite.connection_timeout). */
  readonly busyTimeoutMs: number;
  readonly log: Logger;
  /** Schema steps; the released list unless a test needs another. */
  readonly migrations?: readonly Migration[];
  readonly now?: () => EpochMs;
  /**
   * Read only (`poll --once` without `--trigger`): the file is never created, migrated or
   * written. A missing file reads as an empty database (in memory); a file at an older schema
   * is refused, since reading it would need a migration.
   */
  readonly readOnly?: boolean;
}

/**
 * Opens (creating when needed) the database file with WAL journaling, NORMAL sync, foreign keys
 * and the busy timeout, then migrates it. Every failure is a ReposentryError naming the file:
 * `storage-corrupt`, `storage-busy` or `storage-failed`.
 */
export function openDatabase(options: OpenDatabaseOptions): Database {
  const file = path.resolve(options.path);
  if (options.readOnly === true) return openReadOnly(file, options);
  let db: Database | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    db = new BetterSqlite3(file, { timeout: options.busyTimeoutMs });
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    if (journalMode !== 'wal') {
      options.log.warn('SQLite WAL journal not available', { path: file, journalMode });
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const result = runMigrations(db, options.migrations ?? MIGRATIONS, {
      log: options.log,
      ...(options.now ? { now: options.now } : {}),
    });
    options.log.info('Storage opened', { path: file, schemaVersion: result.version });
    return db;
  } catch (err) {
    if (db?.open) db.close();
    throw mapStorageError(err, file);
  }
}

function openReadOnly(file: string, options: OpenDatabaseOptions): Database {
  const migrations = options.migrations ?? MIGRATIONS;
  let db: Database | undefined;
  try {
    if (!existsSync(file)) {
      db = new BetterSqlite3(':memory:');
      runMigrations(db, migrations);
      options.log.info('Storage opened read-only', { path: file, exists: false });
      return db;
    }
    db = new BetterSqlite3(file, {
      readonly: true,
      fileMustExist: true,
      timeout: options.busyTimeoutMs,
    });
    const latest = migrations.at(-1)?.version ?? 0;
    const found = schemaVersionOf(db);
    if (found !== latest) {
      throw new ReposentryError(
        'storage-failed',
        found > latest
          ? `Database ${file} has schema version ${found}, newer than this RepoSentry knows (${latest})`
          : `Database ${file} has schema version ${found} and this RepoSentry reads ${latest}: ` +
              `a read-only look cannot migrate it; start the daemon (or poll --once --trigger) ` +
              `once to migrate it`,
      );
    }
    options.log.info('Storage opened read-only', { path: file, schemaVersion: found });
    return db;
  } catch (err) {
    if (db?.open) db.close();
    throw mapStorageError(err, file);
  }
}

function schemaVersionOf(db: Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (table === undefined) return 0;
  const row = db
    .prepare<[], { version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    )
    .get();
  return row?.version ?? 0;
}
