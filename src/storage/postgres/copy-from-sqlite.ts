import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { Logger } from '../../logging/create-logger.js';
import { mapStorageError } from '../map-storage-error.js';
import type { SqliteStorage } from '../sqlite-storage.js';
import { storageNotOpenError } from '../storage-errors.js';
import { mapPostgresError } from './map-postgres-error.js';
import { PG_MIGRATIONS } from './migrations/pg-migrations.js';
import { runPgMigrations } from './migrations/run-pg-migrations.js';
import { PgDatabase, type PgQueryable } from './pg-database.js';
import { createPgPool } from './pg-pool.js';
import { postgresLocation } from './postgres-location.js';
import {
  BATCH_BYTES,
  BATCH_ROWS,
  COPIED_TABLES,
  COPIES,
  TARGET_TABLES,
  type CopiedTable,
  type TableCopy,
  type TableCounts,
} from './copied-tables.js';

export {
  COPIED_TABLES,
  copiedColumns,
  type CopiedTable,
  type TableCounts,
} from './copied-tables.js';

export interface TableCopied {
  readonly table: CopiedTable;
  readonly rows: number;
  readonly durationMs: number;
}

export interface CopyFromSqliteOptions {
  /** The SQLite storage, open (so migrated to the current schema), normally as the writer. */
  readonly source: SqliteStorage;
  /** The target's connection string; it appears nowhere, only its redacted form. */
  readonly url: string;
  readonly log: Logger;
  /** Called as each table is copied (inside the transaction: nothing is committed yet). */
  readonly onTable?: (copied: TableCopied) => void;
  /** Rows per INSERT (tests use small batches to cross batch boundaries). */
  readonly batchRows?: number;
}

export interface CopyResult {
  /** The SQLite file. */
  readonly source: string;
  /** The target without credentials. */
  readonly target: string;
  /** Rows copied per table, equal in both databases (checked before the commit). */
  readonly tables: TableCounts;
  /** Deliveries that were in_flight in SQLite and are pending in PostgreSQL. */
  readonly requeued: number;
  readonly durationMs: number;
}

/**
 * `reposentry storage migrate`: copies every row of an SQLite database into an empty PostgreSQL
 * database, keeping every key (event ids and seqs, delivery and attempt ids, transition numbers),
 * schedule (next_poll_at), ETag and queued delivery, so a daemon started on the copy fires
 * nothing again. The target's schema is created (or migrated) first; then ONE transaction locks
 * every RepoSentry table, refuses a target holding any row (naming what it holds), inserts the
 * rows in batches, continues each identity past the highest value SQLite ever handed out (its
 * AUTOINCREMENT counters, so a pruned seq is not reused either) and compares the row counts of
 * both databases; any failure rolls all of it back. Errors name the target without credentials.
 */
export async function copyFromSqlite(options: CopyFromSqliteOptions): Promise<CopyResult> {
  const { source, url, log } = options;
  if (!source.isOpen) throw storageNotOpenError(source.path, false);
  const where = postgresLocation(url);
  try {
    new URL(url);
  } catch {
    throw new ReposentryError(
      'storage-failed',
      `Database ${where.text}: the connection string is not a URL ` +
        `(postgres://user:password@host:port/database)`,
    );
  }
  const mapError = (err: unknown): ReposentryError => mapPostgresError(err, where);
  const startedAt = Date.now();
  const reader = openReader(source.path);
  const pool = createPgPool({ url, maxConnections: 1 });
  pool.on('error', () => undefined);
  try {
    try {
      await runPgMigrations(pool, PG_MIGRATIONS, { location: where.text, log });
    } catch (err) {
      throw mapError(err);
    }
    const target = new PgDatabase(pool, mapError);
    const copied = await target.transaction((tx) =>
      copyTables(reader, tx, where.text, options.batchRows ?? BATCH_ROWS, options.onTable),
    );
    const durationMs = Date.now() - startedAt;
    log.info('SQLite database copied', { source: source.path, target: where.text, durationMs });
    return { source: source.path, target: where.text, ...copied, durationMs };
  } finally {
    reader.close();
    await pool.end().catch(() => undefined);
  }
}

/** SQLite read access to the file, all reads in one snapshot. */
interface Reader {
  count(table: CopiedTable): number;
  rows(copy: TableCopy): IterableIterator<Record<string, unknown>>;
  /** The highest value each AUTOINCREMENT key ever had (sqlite_sequence). */
  autoincrement(table: CopiedTable): number;
  inFlight(): number;
  close(): void;
}

function openReader(file: string): Reader {
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw mapStorageError(err, file);
    }
  };
  const db: Database = guard(
    () => new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: 5_000 }),
  );
  // One read transaction: every SELECT below sees the same snapshot.
  guard(() => db.exec('BEGIN'));
  const scalar = (sql: string, ...params: string[]): number =>
    guard(
      () =>
        (db
          .prepare(sql)
          .pluck()
          .get(...params) as number | null | undefined) ?? 0,
    );
  return {
    count: (table) => scalar(`SELECT count(*) FROM ${table}`),
    autoincrement: (table) => scalar('SELECT seq FROM sqlite_sequence WHERE name = ?', table),
    inFlight: () => scalar(`SELECT count(*) FROM deliveries WHERE status = 'in_flight'`),
    rows(copy) {
      const select = copy.columns.map((c) => (c.from ? `${c.from} AS ${c.name}` : c.name));
      const statement = guard(() =>
        db.prepare<[], Record<string, unknown>>(
          `SELECT ${select.join(', ')} FROM ${copy.table} ORDER BY ${copy.orderBy}`,
        ),
      );
      // A failure while reading is the SQLite file's, not the target's.
      return (function* () {
        try {
          yield* statement.iterate();
        } catch (err) {
          throw mapStorageError(err, file);
        }
      })();
    },
    close() {
      if (db.open) db.close();
    },
  };
}

async function copyTables(
  reader: Reader,
  tx: PgQueryable,
  target: string,
  batchRows: number,
  onTable: ((copied: TableCopied) => void) | undefined,
): Promise<Pick<CopyResult, 'tables' | 'requeued'>> {
  await tx.run(`LOCK TABLE ${TARGET_TABLES.join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const found = await countRows(tx, TARGET_TABLES);
  const held = TARGET_TABLES.filter((table) => found[table] > 0);
  if (held.length > 0) {
    const what = held.map((t) => `${found[t]} row${found[t] === 1 ? '' : 's'} in ${t}`);
    throw new ReposentryError(
      'conflict',
      `Database ${target} is not empty: it has ${what.join(', ')}. storage migrate copies into ` +
        `an empty database only; nothing was written`,
    );
  }
  const expected = Object.fromEntries(
    COPIED_TABLES.map((t) => [t, reader.count(t)]),
  ) as TableCounts;
  for (const copy of COPIES) {
    const startedAt = Date.now();
    let rows = 0;
    let highest = 0;
    for (const batch of batches(reader.rows(copy), copy, batchRows)) {
      rows += await tx.run(insertSql(copy), [batch.json]);
      highest = Math.max(highest, batch.highest);
    }
    if (copy.identity !== undefined) {
      const next = Math.max(highest, reader.autoincrement(copy.table)) + 1;
      if (next > 1) {
        // DDL, unlike setval(), is rolled back with the rest when the copy fails.
        await tx.run(
          `ALTER TABLE ${copy.table} ALTER COLUMN ${copy.identity} RESTART WITH ${next}`,
        );
      }
    }
    onTable?.({ table: copy.table, rows, durationMs: Date.now() - startedAt });
  }
  const copied = await countRows(tx, COPIED_TABLES);
  const differ = COPIED_TABLES.filter((t) => copied[t] !== expected[t]);
  if (differ.length > 0) {
    const what = differ.map((t) => `${t} ${expected[t]} in SQLite, ${copied[t]} copied`);
    throw new ReposentryError(
      'storage-failed',
      `Copy into ${target} incomplete (${what.join('; ')}); rolled back, nothing was written`,
    );
  }
  return { tables: copied, requeued: reader.inFlight() };
}

function insertSql(copy: TableCopy): string {
  const names = copy.columns.map((c) => c.name).join(', ');
  const values = copy.columns.map((c) => c.into ?? `r.${c.name}`).join(', ');
  const types = copy.columns.map((c) => `${c.name} ${c.type}`).join(', ');
  const overriding = copy.identity === undefined ? '' : ' OVERRIDING SYSTEM VALUE';
  return (
    `INSERT INTO ${copy.table} (${names})${overriding} ` +
    `SELECT ${values} FROM json_to_recordset($1::json) AS r(${types})`
  );
}

interface Batch {
  /** The rows as one JSON array (one bound parameter, any number of rows, NULLs included). */
  readonly json: string;
  /** The highest identity value in the batch (0 without identity). */
  readonly highest: number;
}

/** The rows in JSON batches of at most `batchRows` rows or about BATCH_BYTES. */
function* batches(
  rows: IterableIterator<Record<string, unknown>>,
  copy: TableCopy,
  batchRows: number,
): Generator<Batch> {
  const flags = copy.columns.filter((c) => c.type === 'boolean').map((c) => c.name);
  let parts: string[] = [];
  let bytes = 0;
  let highest = 0;
  for (const row of rows) {
    for (const flag of flags) row[flag] = row[flag] === 1;
    if (copy.identity !== undefined) highest = Math.max(highest, Number(row[copy.identity]));
    const json = JSON.stringify(row);
    parts.push(json);
    bytes += json.length;
    if (parts.length >= batchRows || bytes >= BATCH_BYTES) {
      yield { json: `[${parts.join(',')}]`, highest };
      parts = [];
      bytes = 0;
    }
  }
  if (parts.length > 0) yield { json: `[${parts.join(',')}]`, highest };
}

async function countRows<T extends string>(
  tx: PgQueryable,
  tables: readonly T[],
): Promise<Record<T, number>> {
  const select = tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ');
  const row = await tx.first<Record<T, number | string>>(`SELECT ${select}`);
  return Object.fromEntries(tables.map((t) => [t, Number(row?.[t] ?? 0)])) as Record<T, number>;
}
