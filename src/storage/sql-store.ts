import type { Database } from 'better-sqlite3';
import { withStorageErrors } from './map-storage-error.js';
import type { EpochMs } from './storage-types.js';

/**
 * What every store shares: the connection, a clock for `updated_at` columns, and error
 * translation so no better-sqlite3 error leaves storage/.
 */
export abstract class SqlStore {
  constructor(
    protected readonly db: Database,
    protected readonly now: () => EpochMs = Date.now,
  ) {}

  /** Runs `fn`, mapping failures to ReposentryError (storage-busy, storage-corrupt, ...). */
  protected guard<T>(fn: () => T): T {
    return withStorageErrors(this.db.name, fn);
  }

  /** Runs `fn` in one IMMEDIATE transaction (a savepoint when already inside one). */
  protected atomically<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn).immediate());
  }
}
