import type { StorageConfig } from '../config/config-types.js';
import type { Logger } from '../logging/create-logger.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';

export interface CreateStorageOptions {
  /** The config's `storage` section. */
  readonly config: StorageConfig;
  readonly log: Logger;
  /**
   * Writes as the one writer (the daemon, `poll --once --trigger`): the storage holds its
   * writer lock while open. `command` names this process to another one refused by it.
   */
  readonly writer?: { readonly command: string };
  /** Open without creating, migrating or writing anything (a dry run). */
  readonly readOnly?: boolean;
  /**
   * Who claims deliveries on an engine shared by replicas (PostgreSQL): this process's replica
   * id and ha.lease_ttl. SQLite has one writer, which its writer lock makes sure of.
   */
  readonly claimant?: { readonly id: string; readonly leaseTtlMs: number };
}

/** The storage the config asks for, not opened yet (the runtime or the caller starts it). */
export function createStorage(options: CreateStorageOptions): Storage {
  const { config, log, writer, readOnly, claimant } = options;
  const common = { log, ...(readOnly ? { readOnly } : {}) };
  if (config.type === 'postgres') {
    if (config.postgres === undefined) {
      throw new Error('storage.type is postgres but storage.postgres is not set');
    }
    return new PostgresStorage({
      url: config.postgres.url,
      maxConnections: config.postgres.maxConnections,
      ...common,
      ...(claimant ? { claimant } : {}),
    });
  }
  return new SqliteStorage({
    path: config.sqlitePath,
    busyTimeoutMs: config.busyTimeoutMs,
    ...common,
    ...(writer ? { writer } : {}),
  });
}
