import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
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
}

/**
 * Opens (creating when needed) the database file with WAL journaling, NORMAL sync, foreign keys
 * and the busy timeout, then migrates it. Every failure is a ReposentryError naming the file:
 * `storage-corrupt`, `storage-busy` or `storage-failed`.
 */
export function openDatabase(options: OpenDatabaseOptions): Database {
  const file = path.resolve(options.path);
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
