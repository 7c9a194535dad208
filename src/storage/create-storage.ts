import type { StorageConfig } from '../config/config-types.js';
import type { Logger } from '../logging/create-logger.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';

export interface CreateStorageOptions {
  /** The config's `storage` section. */
  readonly config: StorageConfig;
  readonly log: Logger;
  /**
   * Writes as the one writer (the daemon, `poll --once --trigger`): SQLite holds its file's
   * writer lock while open. `command` names this process to another one refused by it.
   */
  readonly writer?: { readonly command: string };
  /** Open without creating, migrating or writing anything (a dry run). */
  readonly readOnly?: boolean;
}

/** The storage the config asks for, not opened yet (the runtime or the caller starts it). */
export function createStorage(options: CreateStorageOptions): Storage {
  const { config, log, writer, readOnly } = options;
  return new SqliteStorage({
    path: config.sqlitePath,
    busyTimeoutMs: config.busyTimeoutMs,
    log,
    ...(writer ? { writer } : {}),
    ...(readOnly ? { readOnly } : {}),
  });
}
