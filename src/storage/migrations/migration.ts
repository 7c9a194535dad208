import type { Database } from 'better-sqlite3';

/**
 * One schema step. `up` runs inside a transaction that also records the version, so a step is
 * either fully applied and recorded or not at all. Steps are never edited once released: a change
 * is a new step with the next version.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
