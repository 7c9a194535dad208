import Database from 'better-sqlite3';

/**
 * The plan SQLite picks for `sql` on a database file, one step per line (`EXPLAIN QUERY PLAN`),
 * read through a separate read-only connection. `params` binds the statement's parameters.
 */
export function queryPlan(
  file: string,
  sql: string,
  params: unknown[] | Record<string, unknown> = [],
): string {
  const db = new Database(file, { readonly: true });
  try {
    const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const steps = (Array.isArray(params) ? statement.all(...params) : statement.all(params)) as {
      detail: string;
    }[];
    return steps.map((step) => step.detail).join('\n');
  } finally {
    db.close();
  }
}
