import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger, type CapturedLogger } from '../../../test/helpers/capture-logger.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../test/helpers/postgres-database.js';
import {
  REPO,
  TARGET,
  makeEvent,
  makeTempDir,
  openStorage,
  recordEvent,
  sha,
} from '../../../test/storage/storage-fixtures.js';
import type { DeliveryWithAttempts } from '../delivery-record.js';
import type { EventListItem } from '../event-query.js';
import type { SqliteStorage } from '../sqlite-storage.js';
import type { Storage } from '../storage.js';
import type { DeliveryStatus, DeliveryTarget, RepositoryIdentity } from '../storage-types.js';
import {
  COPIED_TABLES,
  copiedColumns,
  copyFromSqlite,
  type CopyResult,
  type TableCopied,
} from './copy-from-sqlite.js';
import { PostgresStorage } from './postgres-storage.js';

const available = await postgresAvailable();
const PASSWORD = 'Copy-Pa55word-never-shown';
const MAIN = 'refs/heads/main';
const DEV = 'refs/heads/dev';
const TAG = 'refs/tags/v1';
const REFS = [MAIN, DEV, TAG];
const OTHER: RepositoryIdentity = {
  name: 'lib',
  provider: 'gitlab',
  url: 'https://gitlab.example.test/group/lib',
};
const SECOND: DeliveryTarget = { url: 'http://el-2.example.test:8080', format: 'cloudevents' };
const BRANCHES = '/repos/org/my-app/branches?per_page=100';
const CACHED: readonly [string, string][] = [
  [REPO.name, BRANCHES],
  [REPO.name, '/repos/org/my-app/tags?per_page=100'],
  [OTHER.name, '/projects/group%2Flib/repository/branches'],
];
/** Header order matters: the stored request is replayed byte for byte. */
const HEADERS = { 'X-Zeta': 'last-first', 'Content-Type': 'application/json', 'X-Alpha': 'a' };
const T0 = 1_700_000_000_000;

/** `url` with a password (the test server trusts every connection and ignores it). */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.toString();
}

interface Filled {
  /** The delivery left in_flight in SQLite (its daemon stopped mid-send). */
  readonly inFlightId: number;
  readonly maxSeq: number;
  readonly maxDeliveryId: number;
  readonly maxAttemptId: number;
}

/**
 * A used SQLite database, written through the storage API as the daemon writes it: two
 * repositories (github and gitlab), events on branches and a tag with one or two targets,
 * deliveries delivered, retrying, failed and in flight with their attempts and payloads, a
 * failed poll, baselines half done, ETags and moved next poll times.
 */
async function fill(storage: SqliteStorage): Promise<Filled> {
  await recordEvent(storage, makeEvent(MAIN, sha(1), sha(2), T0), [TARGET, SECOND]);
  await recordEvent(storage, makeEvent(MAIN, sha(2), sha(3), T0 + 1_000), [TARGET, SECOND]);
  await recordEvent(storage, makeEvent(TAG, null, sha(3), T0 + 2_000));
  await recordEvent(storage, makeEvent(DEV, null, sha(4), T0 + 3_000));
  await recordEvent(storage, makeEvent(MAIN, sha(3), sha(2), T0 + 4_000));
  await recordEvent(storage, makeEvent(DEV, sha(4), null, T0 + 5_000));
  await recordEvent(storage, makeEvent(MAIN, sha(7), sha(8), T0 + 6_000, OTHER));
  // A poll that baselined branches only, then a failed one.
  await storage.recordPoll({
    repository: OTHER,
    refs: { upsert: [{ ref: MAIN, sha: sha(8) }], remove: [] },
    events: [],
    targets: [TARGET],
    pollState: {
      polledAt: T0 + 7_000,
      nextPollAt: T0 + 67_000,
      via: 'ls-remote',
      baselined: { branch: true, tag: false, pull: false },
    },
  });
  await storage.recordPollFailure(REPO, {
    code: 'forge-unavailable',
    message: 'GitHub answered 502',
    at: T0 + 8_000,
    nextPollAt: T0 + 38_000,
  });
  await storage.recordPollFailure(REPO, {
    code: 'forge-unavailable',
    message: 'GitHub answered 503',
    at: T0 + 9_000,
    nextPollAt: T0 + 99_000,
  });
  await storage.pollStates.setNextPollAts(new Map([[OTHER.name, T0 + 123_456]]));
  for (const [i, [repository, endpoint]] of CACHED.entries()) {
    const body = JSON.stringify([{ name: `branch-${i}`, note: 'ünïcödé "quoted" \\ slash' }]);
    await storage.httpCache.set(repository, endpoint, { etag: `W/"etag-${i}"`, body });
  }
  // Two rounds of sends: one delivery per free lane each time.
  let inFlightId = 0;
  for (let round = 0; round < 2; round += 1) {
    const claimed = await storage.deliveries.claimDue(T0 + 10_000_000, 100);
    for (const [i, { delivery }] of claimed.entries()) {
      await storage.deliveries.savePayload(delivery.id, `{"round":${round},"i":${i}}`, HEADERS);
      const attempt = delivery.attempts + 1;
      const outcome = (i + round) % 4;
      await storage.deliveries.recordAttempt(delivery.id, {
        attempt,
        startedAt: T0 + 20_000 + i,
        latencyMs: 12 + i,
        ...(outcome === 0 ? { statusCode: 200 } : { statusCode: 503, error: 'HTTP 503' }),
      });
      if (outcome === 0) await storage.deliveries.markDelivered(delivery.id, T0 + 21_000);
      else if (outcome === 1)
        await storage.deliveries.scheduleRetry(delivery.id, T0 + 30_000, 'HTTP 503', 503);
      else if (outcome === 2) await storage.deliveries.markFailed(delivery.id, 'HTTP 400', 400);
      else inFlightId = delivery.id;
    }
    if (inFlightId !== 0) break;
  }
  const counts = await storage.deliveries.countByStatus();
  expect(counts.in_flight).toBe(1);
  expect(counts.delivered + counts.failed).toBeGreaterThan(0);
  const { events } = await storage.events.list({ limit: 1000 });
  const deliveries = (
    await Promise.all(events.map((e) => storage.deliveries.listForEvent(e.id)))
  ).flat();
  return {
    inFlightId,
    maxSeq: await storage.events.latestSeq(),
    maxDeliveryId: Math.max(...deliveries.map((d) => d.id)),
    maxAttemptId: Math.max(...deliveries.flatMap((d) => d.attemptLog.map((a) => a.id))),
  };
}

/** Everything a caller of `Storage` can read of the filled data. */
async function snapshot(storage: Storage): Promise<Record<string, unknown>> {
  const { events } = await storage.events.list({ limit: 1000 });
  const names = [REPO.name, OTHER.name];
  return {
    events,
    eventCount: await storage.events.count(),
    latestSeq: await storage.events.latestSeq(),
    deliveries: await Promise.all(events.map((e) => storage.deliveries.listForEvent(e.id))),
    deliveryCounts: await storage.deliveries.countByStatus(),
    repositories: await Promise.all(names.map((n) => storage.repositories.get(n))),
    refStates: await Promise.all(names.map((n) => storage.refStates.list(n))),
    lastNumbers: await Promise.all(names.map((n) => storage.refTransitions.lastNumbers(n, REFS))),
    pollStates: await storage.pollStates.list(),
    nextPollAts: await storage.pollStates.nextPollAts(),
    httpCache: await Promise.all(CACHED.map(([r, e]) => storage.httpCache.get(r, e))),
  };
}

/** What a delivery in flight in SQLite becomes in PostgreSQL: pending, nothing else changed. */
function requeued(before: Record<string, unknown>): Record<string, unknown> {
  const pending = <T extends Record<DeliveryStatus, number>>(counts: T): T => ({
    ...counts,
    pending: counts.pending + counts.in_flight,
    in_flight: 0,
  });
  return {
    ...before,
    events: (before.events as EventListItem[]).map((e) => ({
      ...e,
      deliveryCounts: pending(e.deliveryCounts),
    })),
    deliveries: (before.deliveries as DeliveryWithAttempts[][]).map((list) =>
      list.map((d) => (d.status === 'in_flight' ? { ...d, status: 'pending' } : d)),
    ),
    deliveryCounts: pending(before.deliveryCounts as Record<DeliveryStatus, number>),
  };
}

async function tableCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of [...COPIED_TABLES, 'replicas', 'poll_leases']) {
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      counts[table] = Number(result.rows[0]?.n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe.skipIf(!available)('copyFromSqlite', () => {
  let db: TestDatabase;
  let dir: string;
  let cleanup: () => void;
  let sqlite: SqliteStorage;
  let logs: CapturedLogger;
  const targets: PostgresStorage[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    ({ dir, cleanup } = makeTempDir());
    sqlite = openStorage(dir);
    logs = createCaptureLogger();
  });
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((t) => t.stop()));
    sqlite.close();
    cleanup();
    await db.drop();
  });

  async function target(): Promise<PostgresStorage> {
    const storage = new PostgresStorage({ url: db.url, maxConnections: 2, log: logs.log });
    targets.push(storage);
    await storage.start();
    return storage;
  }

  function copy(extra: { onTable?: (t: TableCopied) => void } = {}): Promise<CopyResult> {
    return copyFromSqlite({
      source: sqlite,
      url: withPassword(db.url),
      log: logs.log,
      batchRows: 2,
      ...extra,
    });
  }

  it('copies every row, so the PostgreSQL storage reads exactly what the SQLite one did', async () => {
    const filled = await fill(sqlite);
    const before = await snapshot(sqlite);
    const progress: TableCopied[] = [];
    const result = await copy({ onTable: (t) => progress.push(t) });

    const after = await snapshot(await target());
    expect(after).toEqual(requeued(before));
    expect(result.requeued).toBe(1);
    expect(result.tables).toEqual(await tableCounts(db.url).then(withoutReplicaTables));
    expect(result.tables.events).toBe(7);
    expect(progress.map((p) => p.table)).toEqual([...COPIED_TABLES]);
    expect(progress.map((p) => p.rows)).toEqual(COPIED_TABLES.map((t) => result.tables[t]));
    expect(result.target).not.toContain(PASSWORD);
    expect(logs.text()).not.toContain(PASSWORD);
    // The ids of the events and deliveries are the ones SQLite gave: spot-check the maxima.
    expect(after.latestSeq).toBe(filled.maxSeq);
  });

  it('copies every column of every table both schemas have, and knows every other one', async () => {
    const raw = new BetterSqlite3(sqlite.path, { readonly: true });
    const sqliteTables = raw
      .prepare<[], string>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
      )
      .pluck()
      .all();
    const sqliteColumns = (table: string): string[] =>
      raw.prepare<[], string>(`SELECT name FROM pragma_table_info('${table}')`).pluck().all();
    await (await target()).stop();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const pgColumns = new Map<string, string[]>();
    const rows = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    await client.end();
    for (const row of rows.rows) {
      pgColumns.set(row.table_name, [...(pgColumns.get(row.table_name) ?? []), row.column_name]);
    }
    const copied = copiedColumns();
    // Tables of one engine only: its own bookkeeping, or the replicas', which start empty.
    expect(sqliteTables.filter((t) => !(t in copied)).sort()).toEqual([
      'schema_migrations',
      'writer_lock',
    ]);
    expect([...pgColumns.keys()].filter((t) => !(t in copied)).sort()).toEqual([
      'poll_leases',
      'replicas',
      'schema_migrations',
    ]);
    for (const table of COPIED_TABLES) {
      expect(copied[table].sort(), table).toEqual(sqliteColumns(table).sort());
      const onlyPg = (pgColumns.get(table) ?? []).filter((c) => !copied[table].includes(c));
      expect(onlyPg, table).toEqual(table === 'deliveries' ? ['claimed_by', 'lease_until'] : []);
    }
    raw.close();
  });

  it('keeps the payload of a delivery in flight, which the first claim on PostgreSQL sends', async () => {
    const { inFlightId } = await fill(sqlite);
    const stored = sqlite.sync.deliveries.get(inFlightId)?.payload;
    expect(stored?.headers).toEqual(HEADERS);
    await copy();

    const claimed = await (await target()).deliveries.claimDue(T0 + 10_000_000, 100);
    const again = claimed.find((c) => c.delivery.id === inFlightId);
    expect(again?.delivery.payload).toEqual(stored);
    expect(Object.keys(again?.delivery.payload?.headers ?? {})).toEqual(Object.keys(HEADERS));
  });

  it('continues every identity past the copied ones: new events, deliveries and attempts', async () => {
    const filled = await fill(sqlite);
    await copy();
    const storage = await target();

    const event = await recordEvent(storage, makeEvent(MAIN, sha(2), sha(9), T0 + 50_000));
    // ref_transitions came along: main's fourth transition, not a first one again.
    expect(event.transition).toBe(4);
    expect((await storage.events.get(event.id))?.seq).toBeGreaterThan(filled.maxSeq);
    const [delivery] = await storage.deliveries.listForEvent(event.id);
    expect(delivery?.id).toBeGreaterThan(filled.maxDeliveryId);
    // Free the lane: the older deliveries of main to TARGET are still open.
    const claimed = await storage.deliveries.claimDue(T0 + 10_000_000, 100);
    for (const { delivery: d } of claimed) {
      await storage.deliveries.recordAttempt(d.id, {
        attempt: d.attempts + 1,
        startedAt: T0 + 60_000,
        statusCode: 200,
        latencyMs: 5,
      });
    }
    const attempts = (
      await Promise.all(claimed.map((c) => storage.deliveries.listForEvent(c.event.id)))
    )
      .flat()
      .flatMap((d) => d.attemptLog.map((a) => a.id));
    expect(Math.max(...attempts)).toBeGreaterThan(filled.maxAttemptId);
  });

  it('does not hand out again a seq SQLite gave to an event since pruned', async () => {
    await recordEvent(sqlite, makeEvent(MAIN, sha(1), sha(2), T0));
    await recordEvent(sqlite, makeEvent(MAIN, sha(2), sha(3), T0 + 1_000));
    const last = await sqlite.events.latestSeq();
    const [claimed] = await sqlite.deliveries.claimDue(T0 + 10_000, 10);
    await sqlite.deliveries.markFailed(claimed!.delivery.id, 'HTTP 400', 400);
    const [next] = await sqlite.deliveries.claimDue(T0 + 10_000, 10);
    await sqlite.deliveries.markDelivered(next!.delivery.id, T0 + 10_000);
    expect((await sqlite.pruneBatch(T0 + 100_000, 100)).events).toBe(2);

    const result = await copy();
    expect(result.tables.events).toBe(0);
    const storage = await target();
    const event = await recordEvent(storage, makeEvent(MAIN, sha(3), sha(4), T0 + 200_000));
    expect((await storage.events.get(event.id))?.seq).toBe(last + 1);
  });

  it('refuses a database that holds any row, naming what it holds, and writes nothing', async () => {
    await fill(sqlite);
    const used = await target();
    await recordEvent(used, makeEvent(MAIN, sha(5), sha(6), T0));
    const before = await snapshot(used);
    const counts = await tableCounts(db.url);

    const err = await rejection(copy());
    expect(err).toMatchObject({ code: 'conflict' });
    const message = (err as Error).message;
    expect(message).toContain(db.name);
    expect(message).toContain('not empty');
    expect(message).toContain('1 row in events');
    expect(message).toContain('1 row in repositories');
    expect(message).not.toContain(PASSWORD);
    expect(await tableCounts(db.url)).toEqual(counts);
    expect(await snapshot(used)).toEqual(before);
  });

  it('rolls everything back when a row cannot be copied, so the next run starts from empty', async () => {
    const filled = await fill(sqlite);
    // A NUL byte: SQLite stores it, PostgreSQL text cannot. The attempts are copied last.
    const raw = new BetterSqlite3(sqlite.path);
    raw
      .prepare(`UPDATE delivery_attempts SET error = 'bad' || char(0) || 'byte' WHERE id = ?`)
      .run(filled.maxAttemptId);

    const err = await rejection(copy());
    expect(err).toMatchObject({ code: 'storage-failed' });
    expect((err as Error).message).not.toContain(PASSWORD);
    const empty = await tableCounts(db.url);
    expect(Object.values(empty).every((n) => n === 0)).toBe(true);

    raw
      .prepare(`UPDATE delivery_attempts SET error = 'HTTP 503' WHERE id = ?`)
      .run(filled.maxAttemptId);
    raw.close();
    const before = await snapshot(sqlite);
    await copy();
    const storage = await target();
    expect(await snapshot(storage)).toEqual(requeued(before));
    // The identities restarted by the failed run were rolled back with it, then set again.
    const event = await recordEvent(storage, makeEvent(TAG, sha(3), sha(9), T0 + 50_000));
    expect((await storage.events.get(event.id))?.seq).toBe(filled.maxSeq + 1);
  });

  it('copies many rows in batches', async () => {
    const insert = new BetterSqlite3(sqlite.path);
    await recordEvent(sqlite, makeEvent(MAIN, sha(1), sha(2), T0));
    const add = insert.prepare(
      `INSERT INTO events (id, repository, repository_url, provider, ref, type, before_sha,
         after_sha, transition_number, detected_at)
       VALUES (?, ?, ?, 'github', ?, 'branch.updated', ?, ?, ?, ?)`,
    );
    insert.transaction(() => {
      for (let i = 0; i < 12_345; i += 1) {
        add.run(`bulk-${i}`, REPO.name, REPO.url, `refs/heads/b${i}`, sha(i), sha(i + 1), 1, T0);
      }
    })();
    insert.close();
    const result = await copyFromSqlite({ source: sqlite, url: db.url, log: logs.log });
    expect(result.tables.events).toBe(12_346);
    const storage = await target();
    expect(await storage.events.count()).toBe(12_346);
    expect(await storage.events.latestSeq()).toBe(await sqlite.events.latestSeq());
  });
});

function withoutReplicaTables(counts: Record<string, number>): Record<string, number> {
  const { replicas: _replicas, poll_leases: _leases, ...copied } = counts;
  return copied;
}
