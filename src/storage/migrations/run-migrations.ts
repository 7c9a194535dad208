import type { Database } from 'better-sqlite3';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { Logger } from '../../logging/create-logger.js';
import {
  assertStepsOrdered,
  latestVersion,
  type AppliedMigration,
  type MigrationResult,
} from '../schema-steps.js';
import type { EpochMs } from '../storage-types.js';
import type { Migration } from './migration.js';

export type { AppliedMigration, MigrationResult } from '../schema-steps.js';

export interface RunMigrationsOptions {
  readonly log?: Logger;
  readonly now?: () => EpochMs;
}

function currentVersion(db: Database): number {
  const row = db
    .prepare<[], { version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    )
    .get();
  return row?.version ?? 0;
}

/**
 * Brings the schema up to the newest step. Each step runs in its own IMMEDIATE transaction with
 * its row in `schema_migrations` (version, name, applied_at), so a crash leaves the schema at a
 * recorded version; a second process migrating at the same time sees the version inside the
 * lock and skips. A database newer than this code is refused, never touched.
 */
export function runMigrations(
  db: Database,
  migrations: readonly Migration[],
  options: RunMigrationsOptions = {},
): MigrationResult {
  assertStepsOrdered(migrations);
  const now = options.now ?? Date.now;
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const latest = latestVersion(migrations);
  const found = currentVersion(db);
  if (found > latest) {
    throw new ReposentryError(
      'storage-failed',
      `Database ${db.name} has schema version ${found}, newer than this RepoSentry knows ` +
        `(${latest}); run a newer RepoSentry or point storage.sqlite.path at another file`,
    );
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: AppliedMigration[] = [];
  for (const migration of migrations) {
    if (migration.version <= found) continue;
    const step = db.transaction(() => {
      if (currentVersion(db) >= migration.version) return;
      migration.up(db);
      const appliedAt = now();
      record.run(migration.version, migration.name, appliedAt);
      applied.push({ version: migration.version, name: migration.name, appliedAt });
    });
    step.immediate();
    if (applied.at(-1)?.version === migration.version) {
      options.log?.info('Migration applied', { version: migration.version, name: migration.name });
    }
  }
  return { version: Math.max(found, currentVersion(db)), applied };
}

/** Every recorded step, oldest first. */
export function listAppliedMigrations(db: Database): AppliedMigration[] {
  return db
    .prepare<[], AppliedMigration>(
      'SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version',
    )
    .all();
}
