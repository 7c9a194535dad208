import type { PoolClient } from 'pg';
import type { SchemaStep } from '../../schema-steps.js';

/**
 * One PostgreSQL schema step. `up` runs inside a transaction that also records the version (DDL
 * is transactional in PostgreSQL), so a step is either fully applied and recorded or not at all.
 * Steps are never edited once released: a change is a new step with the next version. The
 * numbering is PostgreSQL's own: it does not follow the SQLite steps.
 */
export interface PgMigration extends SchemaStep {
  up(client: PoolClient): Promise<void>;
}
