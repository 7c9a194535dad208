import Database from 'better-sqlite3';
import { ReposentryError, isReposentryError } from '../errors/reposentry-error.js';

type SqliteError = InstanceType<typeof Database.SqliteError>;

function isSqliteError(err: unknown): err is SqliteError {
  return err instanceof Database.SqliteError;
}

/** `SQLITE_BUSY_SNAPSHOT` -> `SQLITE_BUSY`: extended result codes share their primary's meaning. */
function primaryCodeOf(code: string): string {
  return code.split('_').slice(0, 2).join('_');
}

/**
 * The one place where better-sqlite3 errors become ours: corrupt or foreign files are
 * `storage-corrupt`, lock contention that outlasted the busy timeout is `storage-busy` (retryable),
 * everything else `storage-failed`. Messages name the database file, never a bound value.
 */
export function mapStorageError(err: unknown, file: string): ReposentryError {
  if (isReposentryError(err)) return err;
  if (isSqliteError(err)) {
    const primary = primaryCodeOf(err.code);
    if (primary === 'SQLITE_CORRUPT' || primary === 'SQLITE_NOTADB') {
      return new ReposentryError(
        'storage-corrupt',
        `Database file ${file} is corrupt or not a SQLite database (${err.code}: ${err.message})`,
        { cause: err },
      );
    }
    if (primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED') {
      return new ReposentryError(
        'storage-busy',
        `Database file ${file} is locked by another connection and the busy timeout ran out (${err.code})`,
        { retryable: true, cause: err },
      );
    }
    return new ReposentryError(
      'storage-failed',
      `Database file ${file}: ${err.message} (${err.code})`,
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ReposentryError('storage-failed', `Database file ${file}: ${message}`, { cause: err });
}

/** Runs `fn`, translating anything it throws with `mapStorageError`. */
export function withStorageErrors<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw mapStorageError(err, file);
  }
}
