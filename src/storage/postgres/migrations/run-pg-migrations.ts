import type pg from 'pg';
import { ReposentryError } from '../../../errors/reposentry-error.js';
import type { Logger } from '../../../logging/create-logger.js';
import {
  assertStepsOrdered,
  latestVersion,
  type AppliedMigration,
  type MigrationResult,
} from '../../schema-steps.js';
import type { EpochMs } from '../../storage-types.js';
import { ADVISORY_LOCK, LOCK_NAMESPACE } from '../advisory-locks.js';
import type { PgMigration } from './pg-migration.js';

/** How long a process waits for another one's migration run before giving up. */
export const MIGRATION_WAIT_MS = 120_000;

export interface RunPgMigrationsOptions {
  /** Names the database in messages (no credentials). */
  readonly location: string;
  readonly log?: Logger;
  readonly now?: () => EpochMs;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** The recorded schema version (0 when none; also when schema_migrations does not exist). */
export async function schemaVersionOf(client: pg.ClientBase | pg.Pool): Promise<number> {
  const table = await client.query<{ exists: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`,
  );
  if (table.rows[0]?.exists !== true) return 0;
  const result = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Brings the schema up to the newest step, under a session advisory lock on one connection: a
 * second process starting at the same time waits for the first to finish, then finds the steps
 * recorded and applies nothing. Each step runs in its own transaction with its row in
 * `schema_migrations` (version, name, applied_at), so a crash leaves the schema at a recorded
 * version. A database newer than this code is refused, never touched. The connection is
 * discarded afterwards, taking its session settings (no statement timeout: a step may be long)
 * with it; raw pg errors are left to the caller to map.
 */
export async function runPgMigrations(
  pool: pg.Pool,
  migrations: readonly PgMigration[],
  options: RunPgMigrationsOptions,
): Promise<MigrationResult> {
  assertStepsOrdered(migrations);
  const now = options.now ?? Date.now;
  const latest = latestVersion(migrations);
  const client = await pool.connect();
  try {
    await client.query(`SET statement_timeout = 0; SET lock_timeout = ${MIGRATION_WAIT_MS}`);
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, ADVISORY_LOCK.migrate]);
    await client.query(CREATE_TABLE);
    const found = await schemaVersionOf(client);
    if (found > latest) {
      throw new ReposentryError(
        'storage-failed',
        `Database ${options.location} has schema version ${found}, newer than this RepoSentry ` +
          `knows (${latest}); run a newer RepoSentry or point storage.postgres.url at another ` +
          `database`,
      );
    }
    const applied: AppliedMigration[] = [];
    for (const migration of migrations) {
      if (migration.version <= found) continue;
      await client.query('BEGIN');
      try {
        await migration.up(client);
        const appliedAt = now();
        await client.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [migration.version, migration.name, appliedAt],
        );
        await client.query('COMMIT');
        applied.push({ version: migration.version, name: migration.name, appliedAt });
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      options.log?.info('Migration applied', { version: migration.version, name: migration.name });
    }
    return { version: Math.max(found, applied.at(-1)?.version ?? 0), applied };
  } finally {
    // Discarding the connection ends its session, which releases the advisory lock too.
    client.release(true);
  }
}
