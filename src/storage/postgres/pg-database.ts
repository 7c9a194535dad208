import type pg from 'pg';
import type { ReposentryError } from '../../errors/reposentry-error.js';

/** A bound value: pg sends arrays as PostgreSQL arrays (cast them: `$1::text[]`). */
export type SqlValue =
  string | number | boolean | null | readonly string[] | readonly number[] | readonly boolean[];

/**
 * Statements on the pool (each on whichever connection is free) or inside one transaction (on
 * its connection). Every failure rejects with a ReposentryError, never a pg error.
 */
export interface PgQueryable {
  /** The rows of one statement. */
  rows<R extends object>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** The first row of one statement, if any. */
  first<R extends object>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined>;
  /** How many rows one statement inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

type MapError = (err: unknown) => ReposentryError;

interface QueryTarget {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

class Queries implements PgQueryable {
  constructor(
    private readonly target: QueryTarget,
    private readonly mapError: MapError,
  ) {}

  async rows<R extends object>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return (await this.result(sql, params)).rows as R[];
  }

  async first<R extends object>(
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<R | undefined> {
    return (await this.rows<R>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.result(sql, params)).rowCount ?? 0;
  }

  private async result(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    try {
      return await this.target.query(sql, [...params]);
    } catch (err) {
      throw this.mapError(err);
    }
  }
}

/**
 * An open pool as the stores use it: single statements on the pool (`rows`, `first`, `run`), and
 * `transaction` for several that must hold together. Errors are mapped by `mapError` (see
 * `mapPostgresError`).
 */
export class PgDatabase implements PgQueryable {
  private readonly queries: Queries;

  constructor(
    private readonly pool: pg.Pool,
    private readonly mapError: MapError,
  ) {
    this.queries = new Queries(pool, mapError);
  }

  rows<R extends object>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.queries.rows<R>(sql, params);
  }

  first<R extends object>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined> {
    return this.queries.first<R>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.queries.run(sql, params);
  }

  /**
   * Runs `fn` in one READ COMMITTED transaction on one pooled connection: COMMIT when it
   * resolves, ROLLBACK when it (or COMMIT) rejects, the connection released either way (and
   * discarded when ROLLBACK failed too: the connection is broken).
   */
  async transaction<T>(fn: (tx: PgQueryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.mapError(err);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(new Queries(client, this.mapError));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw this.mapError(err);
    } finally {
      client.release(broken);
    }
  }
}
