import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ReposentryError } from '../errors/reposentry-error.js';
import { mapStorageError } from './map-storage-error.js';
import { describeHolder, type LockHolder } from './lock-holder.js';

export { currentHolder, type LockHolder } from './lock-holder.js';

/** How long taking the lock waits out another process that is only looking at it. */
const CONTENTION_WAIT_MS = 1_000;

/**
 * One writer per SQLite file: an exclusive lock on `<database>.lock`, a small SQLite file opened
 * in EXCLUSIVE locking mode. The operating system drops the lock when the process ends, however it
 * ends (a SIGKILLed holder never blocks the next start); there is nothing to clean up. The lock
 * file holds no data: the holder's pid and host are written into the database itself
 * (`writer_lock`), where a refused process reads them for its message.
 */
export class WriterLock {
  readonly lockFile: string;
  private db: Database | undefined;

  constructor(private readonly databaseFile: string) {
    this.lockFile = `${databaseFile}.lock`;
  }

  get held(): boolean {
    return this.db !== undefined;
  }

  /** Takes the lock, or throws `storage-locked` naming the file and, when known, the holder. */
  acquire(): void {
    if (this.db) return;
    mkdirSync(path.dirname(this.lockFile), { recursive: true });
    let db: Database | undefined;
    try {
      db = new BetterSqlite3(this.lockFile, { timeout: CONTENTION_WAIT_MS });
      db.pragma('locking_mode = EXCLUSIVE');
      // The first write takes the EXCLUSIVE lock; in this locking mode it is kept until close.
      db.exec('BEGIN EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY, taken_at INTEGER)');
      db.prepare('INSERT OR REPLACE INTO lock (id, taken_at) VALUES (1, ?)').run(Date.now());
      db.exec('COMMIT');
      this.db = db;
    } catch (err) {
      if (db?.open) db.close();
      const mapped = mapStorageError(err, this.lockFile);
      if (mapped.code !== 'storage-busy') throw mapped;
      throw lockedError(this.databaseFile, readHolder(this.databaseFile));
    }
  }

  release(): void {
    const db = this.db;
    this.db = undefined;
    if (db?.open) db.close();
  }
}

function lockedError(file: string, holder: LockHolder | undefined): ReposentryError {
  return new ReposentryError(
    'storage-locked',
    `Database ${file} is in use by ${describeHolder(holder)}. One process writes a SQLite file at a time: stop ` +
      `that one first, or point storage.sqlite.path at another file`,
  );
}

/** The recorded holder of a database's lock, read without writing; undefined when unknown. */
function readHolder(file: string): LockHolder | undefined {
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(file, {
      readonly: true,
      fileMustExist: true,
      timeout: CONTENTION_WAIT_MS,
    });
    return db
      .prepare<[], LockHolder>(
        `SELECT pid, host, command, acquired_at AS acquiredAt FROM writer_lock WHERE id = 1`,
      )
      .get();
  } catch {
    return undefined;
  } finally {
    if (db?.open) db.close();
  }
}

/** Labels the lock in the database: the holder a refused process will name. */
export function recordHolder(db: Database, holder: LockHolder): void {
  db.prepare(
    `INSERT OR REPLACE INTO writer_lock (id, pid, host, command, acquired_at)
       VALUES (1, @pid, @host, @command, @acquiredAt)`,
  ).run(holder);
}

/** Removes the label on a clean stop (after a crash the next holder overwrites it). */
export function clearHolder(db: Database): void {
  db.prepare('DELETE FROM writer_lock WHERE pid = ?').run(process.pid);
}
