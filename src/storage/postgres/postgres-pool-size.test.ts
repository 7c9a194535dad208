import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../../test/helpers/capture-logger.js';
import {
  createTestDatabase,
  postgresAvailable,
  TEST_POSTGRES_URL,
  type TestDatabase,
} from '../../../test/helpers/postgres-database.js';
import { waitFor } from '../../../test/helpers/wait-for.js';
import { loadConfigFromObject } from '../../config/load-config.js';
import { createStorage } from '../create-storage.js';
import type { Storage } from '../storage.js';

const available = await postgresAvailable();
const stopped = (): AbortSignal => new AbortController().signal;
const MAX_CONNECTIONS = 3;
/** More calls at once than the pool has connections. */
const CALLS = 8;
const REPO = { name: 'app', provider: 'github', url: 'https://github.com/org/app' } as const;

interface Session {
  readonly pid: number;
  readonly query: string;
  /** Waiting for a lock on a table (the one the test holds). */
  readonly waiting: boolean;
  /** Holds an advisory lock (the leader's). */
  readonly leader: boolean;
}

/**
 * RepoSentry's sessions on `database`, as the server sees them. Asked outside any transaction:
 * inside one, pg_stat_activity keeps showing what it showed first.
 */
async function sessionsOn(monitor: pg.Client, database: string): Promise<Session[]> {
  const result = await monitor.query<Session>(
    `SELECT a.pid, a.query, coalesce(a.wait_event_type = 'Lock', false) AS waiting,
            EXISTS (SELECT 1 FROM pg_locks l
                      WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted) AS leader
       FROM pg_stat_activity a
       WHERE a.datname = $1 AND a.application_name = 'reposentry'`,
    [database],
  );
  return result.rows;
}

describe.skipIf(!available)('storage.postgres.max_connections', () => {
  let db: TestDatabase;
  let storage: Storage | undefined;
  const clients: pg.Client[] = [];

  async function connect(url: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url, application_name: 'test' });
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await storage?.stop(stopped());
    storage = undefined;
    await db.drop();
  });

  it('caps the statements’ connections the daemon opens, beside the leader’s and the listener’s', async () => {
    const config = loadConfigFromObject(
      {
        tekton: { event_listener_url: 'http://el:8080' },
        storage: { type: 'postgres', postgres: { url: db.url, max_connections: MAX_CONNECTIONS } },
        repositories: [],
      },
      { env: {} },
    );
    // The daemon's path: config -> createStorage -> start.
    const open = createStorage({
      config: config.storage,
      log: createCaptureLogger().log,
      writer: { command: 'run' },
    });
    storage = open;
    await open.start();
    await open.repositories.track(REPO);
    // A replica's two sessions outside the pool: the leader's (holding its advisory lock on a
    // connection of its own) and the one listening to the other replicas.
    const cluster = open.cluster;
    expect(cluster).toBeDefined();
    expect(await cluster?.tryLead()).toBe(true);
    await cluster?.subscribe(() => undefined);

    // Every statement on `repositories` waits for this lock, holding its pooled connection.
    const blocker = await connect(db.url);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE repositories IN ACCESS EXCLUSIVE MODE');
    const calls = Promise.allSettled(
      Array.from({ length: CALLS }, () => open.repositories.get(REPO.name)),
    );

    const monitor = await connect(TEST_POSTGRES_URL);
    const queued = (): number => {
      const pool = open.health().details?.['pool'] as { waiting: number } | undefined;
      return pool?.waiting ?? 0;
    };
    let sessions: Session[] = [];
    // Until each call is either on a connection, waiting for the lock, or queued in the pool.
    await waitFor(
      async () => {
        sessions = await sessionsOn(monitor, db.name);
        return sessions.filter((s) => s.waiting).length + queued() === CALLS;
      },
      5_000,
      'every call on a connection or queued',
    );
    const leader = sessions.filter((s) => s.leader);
    const listener = sessions.filter((s) => s.query === 'LISTEN reposentry');
    const pooled = sessions.filter((s) => !leader.includes(s) && !listener.includes(s));
    expect(leader).toHaveLength(1);
    expect(listener).toHaveLength(1);
    expect(pooled).toHaveLength(MAX_CONNECTIONS);
    expect(pooled.every((s) => s.waiting)).toBe(true);
    expect(queued()).toBe(CALLS - MAX_CONNECTIONS);

    await blocker.query('COMMIT');
    const results = await calls;
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value?.name : r.status))).toEqual(
      Array.from({ length: CALLS }, () => REPO.name),
    );
    // No more than that once the queue has run through either.
    expect((await sessionsOn(monitor, db.name)).length).toBeLessThanOrEqual(MAX_CONNECTIONS + 2);
  });
});
