import pg from 'pg';

/** How long one statement may run before PostgreSQL cancels it (`storage-busy`). */
export const STATEMENT_TIMEOUT_MS = 30_000;
/** How long a statement waits for a row or table lock held by another transaction. */
export const LOCK_TIMEOUT_MS = 10_000;
/** A session left idle inside a transaction this long is ended, releasing its locks. */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
/** How long opening a connection, or waiting for a free one in the pool, may take. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** An idle pooled connection is closed after this long. */
export const IDLE_CONNECTION_MS = 30_000;

const INT8_OID = 20;
const JSON_OID = 114;

/**
 * BIGINT (int8) as a JavaScript number: every BIGINT column holds epoch milliseconds, an identity
 * or a count, all far below 2^53. pg returns int8 as a string by default; a value a number cannot
 * hold exactly fails the query rather than being rounded.
 */
export function parseBigint(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`BIGINT value ${text} does not fit a JavaScript number`);
  }
  return value;
}

/** BIGINT as number (`parseBigint`); json as its text, which the shared row mappers parse. */
function typeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, parseBigint);
  types.setTypeParser(JSON_OID, (text: string) => text);
  return types;
}

/**
 * The settings of every RepoSentry connection, pooled or not: BIGINT parsed to number, json left
 * as text, the statement, lock and idle-in-transaction timeouts (and a client-side query timeout
 * a little longer), TCP keep-alive from 10 s of silence (a dead server or a dropped connection is
 * noticed), and `application_name` so `pg_stat_activity` shows who is
 * connected. Settings in the URL's query (`?application_name=`) take precedence.
 */
export function pgClientConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    types: typeParsers(),
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // The server's statement_timeout cannot end a query whose connection went silent (a dropped
    // NAT entry, a failover to another address): the client gives up a little after it.
    query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'reposentry',
  };
}

export interface PgPoolOptions {
  /** Connection string (TLS as its sslmode says). */
  readonly url: string;
  /** Pool size (storage.postgres.max_connections). */
  readonly maxConnections: number;
  /** Every transaction of every connection is read-only (a dry run cannot write by mistake). */
  readonly readOnly?: boolean;
}

/** The connection pool of a PostgresStorage; connections open on first use. */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  return new pg.Pool({
    ...pgClientConfig(options.url),
    max: options.maxConnections,
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    ...(options.readOnly === true
      ? {
          // pg-pool awaits the Promise before handing the connection out (its types say void).
          // eslint-disable-next-line @typescript-eslint/no-misused-promises -- see above
          onConnect: async (client: pg.ClientBase): Promise<void> => {
            await client.query('SET default_transaction_read_only = on');
          },
        }
      : {}),
  });
}
