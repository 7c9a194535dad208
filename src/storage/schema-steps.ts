import { ReposentryError } from '../errors/reposentry-error.js';
import type { EpochMs } from './storage-types.js';

/**
 * What every engine's schema steps (migrations) have in common: a version and a name. Each
 * engine keeps its own list and numbering (src/storage/migrations/ for SQLite,
 * src/storage/postgres/migrations/ for PostgreSQL) and records applied steps in its
 * schema_migrations table.
 */
export interface SchemaStep {
  readonly version: number;
  readonly name: string;
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly appliedAt: EpochMs;
}

export interface MigrationResult {
  /** Schema version after the run. */
  readonly version: number;
  /** Steps applied by this run (empty when the schema was already current). */
  readonly applied: readonly AppliedMigration[];
}

/** `internal` unless the versions are integers that increase from step to step. */
export function assertStepsOrdered(steps: readonly SchemaStep[]): void {
  steps.forEach((step, index) => {
    const previous = index === 0 ? 0 : (steps[index - 1]?.version ?? 0);
    if (!Number.isInteger(step.version) || step.version <= previous) {
      throw new ReposentryError(
        'internal',
        `Migration ${step.name} has version ${step.version}; versions must increase`,
      );
    }
  });
}

/** The version a database has once every step ran (0 for no steps). */
export function latestVersion(steps: readonly SchemaStep[]): number {
  return steps.at(-1)?.version ?? 0;
}
