import Database from 'better-sqlite3';

/**
 * One value from a daemon's database file, read from outside (another connection, read-only),
 * the way an operator would; `fallback` while the file does not exist or cannot be read yet.
 */
export function queryDb<T>(file: string, sql: string, fallback: T): T {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 100 });
    try {
      return (db.prepare(sql).pluck().get() as T | undefined) ?? fallback;
    } finally {
      db.close();
    }
  } catch {
    return fallback;
  }
}
