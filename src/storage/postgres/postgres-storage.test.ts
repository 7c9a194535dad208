import { inspect } from 'node:util';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../../test/helpers/capture-logger.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../test/helpers/postgres-database.js';
import { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.js';

const available = await postgresAvailable();
const stopped = (): AbortSignal => new AbortController().signal;
const PASSWORD = 'Hunter2-never-shown';
const REPO = { name: 'app', provider: 'github', url: 'https://github.com/org/app' } as const;

/** `url` with a password (the trust server ignores it), in the userinfo or as `?password=`. */
function withPassword(url: string, where: 'userinfo' | 'query'): string {
  const parsed = new URL(url);
  if (where === 'userinfo') parsed.password = PASSWORD;
  else parsed.searchParams.set('password', PASSWORD);
  return parsed.toString();
}

/** Everything a failure shows: message, code and the whole object as util.inspect prints it. */
function shown(err: unknown): string {
  return `${err instanceof Error ? err.message : String(err)}\n${inspect(err, { depth: 5 })}`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe.skipIf(!available)('PostgresStorage', () => {
  let db: TestDatabase;
  const open: PostgresStorage[] = [];

  function storage(options: Partial<PostgresStorageOptions> = {}): PostgresStorage {
    const created = new PostgresStorage({
      url: db.url,
      maxConnections: 2,
      log: createCaptureLogger().log,
      ...options,
    });
    open.push(created);
    return created;
  }

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.stop(stopped())));
    await db.drop();
  });

  it('never shows the connection password: not in location, health, logs or errors', async () => {
    for (const where of ['userinfo', 'query'] as const) {
      const logger = createCaptureLogger();
      const url = withPassword(db.url, where);
      const holder = storage({ url, log: logger.log });
      const texts: string[] = [holder.location];
      await holder.start();
      texts.push(JSON.stringify(holder.health()));
      await holder.repositories.track(REPO);
      // Refused by an unknown database, by a closed port, and after stop.
      const missing = new URL(url);
      missing.pathname = '/reposentry_no_such_database';
      texts.push(shown(await rejection(storage({ url: missing.toString() }).start())));
      const closed = new URL(url);
      closed.port = '1';
      texts.push(shown(await rejection(storage({ url: closed.toString() }).start())));
      await holder.stop(stopped());
      texts.push(shown(await rejection(holder.events.count())));
      texts.push(JSON.stringify(holder.health()), logger.text());

      expect(holder.location).not.toContain(PASSWORD);
      expect(holder.location).toMatch(/127\.0\.0\.1:5432\/reposentry_test_/);
      for (const text of texts) expect(text).not.toContain(PASSWORD);
      expect(logger.text()).toContain('Storage opened');
    }
  });

  it('reports the unreachable server as a retryable storage-failed naming the database', async () => {
    const closed = new URL(db.url);
    closed.port = '1';
    const err = await rejection(storage({ url: closed.toString() }).start());
    expect(err).toMatchObject({
      code: 'storage-failed',
      retryable: true,
      message: expect.stringMatching(/^Database .*127\.0\.0\.1:1\/.* is unreachable: /),
    });
  });

  it('refuses a read-only start on a database without the schema, creating nothing', async () => {
    const reader = storage({ readOnly: true });
    await expect(reader.start()).rejects.toMatchObject({
      code: 'storage-failed',
      message: expect.stringMatching(
        /has no RepoSentry schema, and a read-only look cannot create it: start the daemon/,
      ),
    });
    expect(reader.isOpen).toBe(false);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const tables = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      expect(tables.rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('reads a current schema read-only and refuses to write to it', async () => {
    const writer = storage();
    await writer.start();
    await writer.repositories.track(REPO, 1_000);
    const reader = storage({ readOnly: true });
    await reader.start();
    expect(reader.health()).toMatchObject({ status: 'healthy', details: { open: true } });
    expect(await reader.repositories.get(REPO.name)).toMatchObject({ firstSeenAt: 1_000 });
    await expect(
      reader.httpCache.set(REPO.name, '/x', { etag: '"1"', body: '{}' }),
    ).rejects.toMatchObject({
      code: 'storage-failed',
      message: expect.stringMatching(/read-only transaction/),
    });
  });

  it('reports its pool in health while open', async () => {
    const opened = storage({ maxConnections: 3 });
    expect(opened.health()).toMatchObject({ status: 'starting', details: { open: false } });
    await opened.start();
    await Promise.all([opened.events.count(), opened.events.latestSeq()]);
    expect(opened.health()).toMatchObject({
      status: 'healthy',
      details: { open: true, pool: { max: 3, total: expect.any(Number), waiting: 0 } },
    });
    await opened.stop(stopped());
    expect(opened.health()).toMatchObject({ status: 'stopped', details: { open: false } });
  });
});
