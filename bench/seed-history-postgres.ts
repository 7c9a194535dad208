/**
 * Writes the events-API history (seed-history.ts) into a PostgreSQL database the daemon's
 * migrations created (src/storage/postgres/migrations/initial-schema.ts): per chunk of rows one
 * transaction of three set-based INSERT ... SELECT FROM unnest(...) statements (events,
 * deliveries, attempts), two chunks in flight on their own connections while the next rows are
 * built. Event seqs and delivery ids are given (1, 2, ... as on a fresh database: OVERRIDING
 * SYSTEM VALUE, their columns being identities), so attempts can name their delivery; the
 * identities then continue after them. Then ref_transitions from the events, and VACUUM ANALYZE:
 * the server autovacuums a daemon's tables as they grow (where autovacuum is off, as on some
 * test servers, the planner would otherwise see a million rows as an empty table).
 */
import pg from 'pg';
import type { HistoryRow } from './seed-history.js';

const CHUNK = 5_000;
const IN_FLIGHT = 2;

const INSERT_EVENTS = `INSERT INTO events (seq, id, repository, repository_url, provider, ref, type,
    before_sha, after_sha, transition_number, detected_at)
  OVERRIDING SYSTEM VALUE
  SELECT s, i, r, u, 'github', f, t, b, a, n, d
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::text[], $9::integer[], $10::bigint[]) AS x(s, i, r, u, f, t, b, a, n, d)`;

const INSERT_DELIVERIES = `INSERT INTO deliveries (id, event_id, repository, ref, target_url,
    format, status, attempts, round_base_attempts, next_attempt_at, last_status_code, last_error,
    body, headers, created_at, queued_at, updated_at, delivered_at)
  OVERRIDING SYSTEM VALUE
  SELECT id, e, r, f, $1, 'github', st, n, 0, d, c, er, bo, h::json, d, d, up, dl
    FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::integer[],
      $8::bigint[], $9::integer[], $10::text[], $11::text[], $12::text[], $13::bigint[],
      $14::bigint[]) AS x(id, e, r, f, st, n, d, c, er, bo, h, up, dl)`;

const INSERT_ATTEMPTS = `INSERT INTO delivery_attempts (delivery_id, attempt, started_at,
    status_code, latency_ms, error)
  SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::integer[], $5::bigint[],
    $6::text[])`;

async function writeChunk(
  client: pg.PoolClient,
  targetUrl: string,
  rows: readonly HistoryRow[],
): Promise<void> {
  const column = <T>(pick: (row: HistoryRow) => T): T[] => rows.map(pick);
  const attempts: [number[], number[], number[], number[], number[], (string | null)[]] = [
    [],
    [],
    [],
    [],
    [],
    [],
  ];
  for (const row of rows) {
    for (let attempt = 1; attempt <= row.attempts; attempt += 1) {
      attempts[0].push(row.n);
      attempts[1].push(attempt);
      attempts[2].push(row.detectedAt + attempt);
      attempts[3].push(row.statusCode);
      attempts[4].push(5);
      attempts[5].push(row.status === 'failed' ? `HTTP ${row.statusCode}` : null);
    }
  }
  await client.query('BEGIN');
  try {
    await client.query(INSERT_EVENTS, [
      column((r) => r.n),
      column((r) => r.id),
      column((r) => r.repository),
      column((r) => r.url),
      column((r) => r.ref),
      column((r) => r.type),
      column((r) => r.before),
      column((r) => r.after),
      column((r) => r.transition),
      column((r) => r.detectedAt),
    ]);
    await client.query(INSERT_DELIVERIES, [
      targetUrl,
      column((r) => r.n),
      column((r) => r.id),
      column((r) => r.repository),
      column((r) => r.ref),
      column((r) => r.status),
      column((r) => r.attempts),
      column((r) => r.detectedAt),
      column((r) => r.statusCode),
      column((r) => r.error),
      column((r) => r.body),
      column((r) => r.headers),
      column((r) => r.updatedAt),
      column((r) => r.deliveredAt),
    ]);
    await client.query(INSERT_ATTEMPTS, attempts);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Returns the highest event seq. */
export async function writeHistoryPostgres(
  url: string,
  targetUrl: string,
  batches: Iterable<readonly HistoryRow[]>,
): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT });
  // As the SQLite seeding writes with synchronous = OFF: no flush per commit while seeding.
  pool.on('connect', (client) => void client.query('SET synchronous_commit = off'));
  try {
    const inFlight = new Set<Promise<void>>();
    let failure: Error | undefined;
    for (const batch of batches) {
      for (let from = 0; from < batch.length; from += CHUNK) {
        const rows = batch.slice(from, from + CHUNK);
        const write = (async () => {
          const client = await pool.connect();
          try {
            await writeChunk(client, targetUrl, rows);
          } finally {
            client.release();
          }
        })().catch((err: unknown) => {
          failure ??= err instanceof Error ? err : new Error(String(err));
        });
        inFlight.add(write);
        void write.finally(() => inFlight.delete(write));
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
        if (failure !== undefined) throw failure;
      }
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    await pool.query(`INSERT INTO ref_transitions (repository, ref, last_number)
      SELECT repository, ref, max(transition_number) FROM events GROUP BY repository, ref`);
    for (const [table, column] of [
      ['events', 'seq'],
      ['deliveries', 'id'],
    ] as const) {
      await pool.query(
        `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), max(${column}))
           FROM ${table} HAVING count(*) > 0`,
      );
    }
    await pool.query('VACUUM ANALYZE');
    const result = await pool.query<{ max: string | null }>('SELECT max(seq) AS max FROM events');
    return Number(result.rows[0]?.max ?? 0);
  } finally {
    await pool.end();
  }
}
