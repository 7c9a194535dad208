import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: REPOSENTRY_TEST_POSTGRES_URL, or the local one on
 * 127.0.0.1:5432 (trust authentication). Each test creates a fresh database on it and drops it.
 */
export const TEST_POSTGRES_URL =
  process.env['REPOSENTRY_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let reachable: Promise<string | undefined> | undefined;

/** Why the test server cannot be used (undefined when it can), asked once per test file. */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({
      connectionString: TEST_POSTGRES_URL,
      connectionTimeoutMillis: 3000,
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/**
 * Whether the PostgreSQL tests run. Under CI=true an unreachable server is an error (the run
 * fails); elsewhere the tests are skipped with a notice saying how to run them.
 */
export async function postgresAvailable(): Promise<boolean> {
  const why = await postgresUnavailable();
  if (why === undefined) return true;
  if (process.env['CI'] === 'true') {
    throw new Error(`PostgreSQL at ${redactedServer()} is unreachable under CI=true: ${why}`);
  }
  console.warn(
    `Skipping the PostgreSQL tests: ${redactedServer()} is unreachable (${why}). Start it ` +
      '(pg_ctlcluster --skip-systemctl-redirect 15 main start) or set ' +
      'REPOSENTRY_TEST_POSTGRES_URL to run them.',
  );
  return false;
}

function redactedServer(): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.password = '';
  return url.toString();
}

export interface TestDatabase {
  /** Connection string of the fresh database. */
  readonly url: string;
  readonly name: string;
  /** Ends every connection to it and drops it. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `reposentry_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
