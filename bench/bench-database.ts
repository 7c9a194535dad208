/**
 * The database of one scenario run, on either engine: an SQLite file in the run's directory, or a
 * fresh database on the bench's PostgreSQL server (dropped by `close`). It gives the daemon's
 * config its `storage` section (and `ha` on PostgreSQL), a Storage of the daemon's own for
 * seeding, and what the scenarios read afterwards.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import winston from 'winston';
import { createLogger } from '../src/logging/create-logger.js';
import { SecretRegistry } from '../src/logging/secret-registry.js';
import { PostgresStorage } from '../src/storage/postgres/postgres-storage.js';
import { SqliteStorage } from '../src/storage/sqlite-storage.js';
import type { Storage } from '../src/storage/storage.js';
import type { StorageEngine } from './bench-options.js';
import { createPostgresDatabase, onServer } from './bench-postgres.js';
import { watchBackendCpu } from './postgres-backend-cpu.js';

/** Pool size of every PostgreSQL daemon and seeding storage of the bench. */
export const POSTGRES_MAX_CONNECTIONS = 10;
/** ha.lease_ttl of every PostgreSQL daemon of the bench. */
export const POSTGRES_LEASE_TTL = '15s';

interface DatabaseCommon {
  readonly engine: StorageEngine;
  /** The daemon config's `storage` section, and `ha` on PostgreSQL. */
  readonly config: { readonly storage: object; readonly ha?: object };
  /** A Storage of the daemon's own on this database, not started yet (for seeding). */
  openStorage(): Storage;
  /**
   * Gathers the planner's statistics after seeding, as the engine's own upkeep would: PostgreSQL
   * runs ANALYZE (what autovacuum does as a table grows; without statistics the delivery claim
   * plans a scan of the whole backlog). On SQLite nothing: closing the seeding storage ran
   * `PRAGMA optimize`, as closing the daemon's does.
   */
  analyze(): Promise<void>;
  /** Deliveries per status. */
  countStatuses(): Promise<Record<string, number>>;
  /** Bytes on disk: the file and its WAL, or pg_database_size. */
  sizeBytes(): Promise<number>;
  /**
   * CPU seconds used so far by the server processes serving this database (PostgreSQL; see
   * postgres-backend-cpu.ts); undefined on SQLite, whose work is in the daemon's own CPU time.
   */
  serverCpuSeconds(): Promise<number | undefined>;
  /**
   * Transactions ended in the database so far (pg_stat_database: commits and rollbacks; each
   * backend reports its own when idle or when it exits); undefined on SQLite.
   */
  transactions(): Promise<number | undefined>;
  /** Drops the PostgreSQL database (the SQLite file goes with the run's directory). */
  close(): Promise<void>;
}

export interface SqliteBenchDatabase extends DatabaseCommon {
  readonly engine: 'sqlite';
  readonly file: string;
}

export interface PostgresBenchDatabase extends DatabaseCommon {
  readonly engine: 'postgres';
  /** Connection string of the database. */
  readonly url: string;
  readonly name: string;
}

export type BenchDatabase = SqliteBenchDatabase | PostgresBenchDatabase;

/** A silent logger for the storages the bench opens itself. */
export function quietLogger(): ReturnType<typeof createLogger> {
  return createLogger({
    level: 'error',
    format: 'json',
    secrets: new SecretRegistry(),
    transports: [new winston.transports.Console({ silent: true })],
  });
}

/** A new database for a scenario run: `<dir>/reposentry.db`, or one on `postgresServer`. */
export async function createBenchDatabase(
  engine: StorageEngine,
  dir: string,
  postgresServer: string | undefined,
): Promise<BenchDatabase> {
  if (engine === 'sqlite') return sqliteDatabase(path.join(dir, 'reposentry.db'));
  if (postgresServer === undefined)
    throw new Error('bench: no PostgreSQL server for a postgres run');
  return postgresDatabase(postgresServer);
}

function sqliteDatabase(file: string): SqliteBenchDatabase {
  return {
    engine: 'sqlite',
    file,
    config: { storage: { sqlite: { path: file } } },
    openStorage: () => new SqliteStorage({ path: file, busyTimeoutMs: 5000, log: quietLogger() }),
    analyze: () => Promise.resolve(),
    countStatuses() {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const rows = db
          .prepare<[], { status: string; n: number }>(
            'SELECT status, count(*) AS n FROM deliveries GROUP BY status',
          )
          .all();
        return Promise.resolve(Object.fromEntries(rows.map((row) => [row.status, row.n])));
      } finally {
        db.close();
      }
    },
    sizeBytes: () => Promise.resolve(fileSize(file) + fileSize(`${file}-wal`)),
    serverCpuSeconds: () => Promise.resolve(undefined),
    transactions: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The URL with `synchronous_commit = off` for its sessions: the bench's own writes (seeding) do
 * not wait for each commit's WAL flush, as SQLite's seeding writes without a sync at each commit
 * (the daemon's own connections keep the server's setting).
 */
function withoutCommitFlush(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', '-c synchronous_commit=off');
  return parsed.toString();
}

async function postgresDatabase(serverUrl: string): Promise<PostgresBenchDatabase> {
  const database = await createPostgresDatabase(serverUrl);
  const backends = watchBackendCpu(serverUrl, database.name);
  const query = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    engine: 'postgres',
    url: database.url,
    name: database.name,
    config: {
      storage: {
        type: 'postgres',
        postgres: { url: database.url, max_connections: POSTGRES_MAX_CONNECTIONS },
      },
      ha: { lease_ttl: POSTGRES_LEASE_TTL },
    },
    openStorage: () =>
      new PostgresStorage({
        url: withoutCommitFlush(database.url),
        maxConnections: POSTGRES_MAX_CONNECTIONS,
        log: quietLogger(),
      }),
    async analyze() {
      await query('ANALYZE');
    },
    async countStatuses() {
      const rows = await query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM deliveries GROUP BY status',
      );
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
    },
    async sizeBytes() {
      const rows = await query<{ size: string }>(
        'SELECT pg_database_size(current_database()) AS size',
      );
      return Number(rows[0]?.size ?? NaN);
    },
    serverCpuSeconds: () => backends.read(),
    async transactions() {
      const rows = await onServer<{ n: string }>(
        serverUrl,
        `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`,
        [database.name],
      );
      return Number(rows[0]?.n ?? NaN);
    },
    async close() {
      await backends.close();
      await database.drop();
    },
  };
}
