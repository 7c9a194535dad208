/**
 * The PostgreSQL server of the bench's postgres runs: REPOSENTRY_BENCH_POSTGRES_URL, or the local
 * one on 127.0.0.1:5432 (trust authentication, user postgres). Every scenario run gets a fresh
 * database on it, `reposentry_bench_<random>`, dropped when the run ends. The bench keeps its own
 * helpers (as bench-github.ts and bench-receiver.ts do): test/helpers/postgres-database.ts does
 * the same for the tests, with their own server variable and CI rule.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server URL the bench uses (a maintenance database on it, e.g. `postgres`). */
export function benchPostgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env['REPOSENTRY_BENCH_POSTGRES_URL'] ?? DEFAULT_POSTGRES_URL;
}

/** `url` without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Why the server cannot be used, or undefined when it answers. */
export async function postgresUnreachable(serverUrl: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface PostgresDatabase {
  /** Connection string of the fresh database. */
  readonly url: string;
  readonly name: string;
  /** Ends every connection to it and drops it (idempotent). */
  drop(): Promise<void>;
}

/** Runs one statement on the server's maintenance database, on a connection of its own. */
export async function onServer<R extends pg.QueryResultRow>(
  serverUrl: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** A new, empty database on the server. */
export async function createPostgresDatabase(serverUrl: string): Promise<PostgresDatabase> {
  const name = `reposentry_bench_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () =>
      (dropped ??= onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(
        () => undefined,
      )),
  };
}

/** The server's version and the settings that shape the figures, in one line. */
export async function describePostgres(serverUrl: string): Promise<string> {
  const rows = await onServer<{ name: string; setting: string }>(
    serverUrl,
    `SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name`,
    [['server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'autovacuum']],
  );
  const setting = new Map(rows.map((row) => [row.name, row.setting]));
  return (
    `PostgreSQL ${setting.get('server_version') ?? '?'}: fsync ${setting.get('fsync') ?? '?'}, ` +
    `synchronous_commit ${setting.get('synchronous_commit') ?? '?'}, shared_buffers ` +
    `${setting.get('shared_buffers') ?? '?'}, autovacuum ${setting.get('autovacuum') ?? '?'}`
  );
}
