import type { Database, Statement, Transaction } from 'better-sqlite3';
import { withStorageErrors } from './map-storage-error.js';
import type { EpochMs } from './storage-types.js';

/**
 * What every store shares: the connection, its prepared statements, a clock for `updated_at`
 * columns, and error translation so no better-sqlite3 error leaves storage/.
 */
export abstract class SqlStore {
  private readonly statements = new Map<string, Statement>();
  /** One transaction function for every `atomically` call (building one per call was costly). */
  private readonly transaction: Transaction<(fn: () => unknown) => unknown>;

  constructor(
    protected readonly db: Database,
    protected readonly now: () => EpochMs = Date.now,
  ) {
    this.transaction = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * `db.prepare`, compiled once per SQL text and connection. Compiling was most of the CPU a
   * delivery or a poll cost in storage. Plucking is off on every statement handed out, so a
   * caller's `.pluck()` lasts only for its own use.
   */
  protected prepare<P extends unknown[] | object = unknown[], R = unknown>(
    sql: string,
  ): P extends unknown[] ? Statement<P, R> : Statement<[P], R> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    if (statement.reader) statement.pluck(false);
    return statement as P extends unknown[] ? Statement<P, R> : Statement<[P], R>;
  }

  /** Runs `fn`, mapping failures to ReposentryError (storage-busy, storage-corrupt, ...). */
  protected guard<T>(fn: () => T): T {
    return withStorageErrors(this.db.name, fn);
  }

  /** Runs `fn` in one IMMEDIATE transaction (a savepoint when already inside one). */
  protected atomically<T>(fn: () => T): T {
    return this.guard(() => this.transaction.immediate(fn) as T);
  }
}
