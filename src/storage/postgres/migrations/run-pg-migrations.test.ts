import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../../../test/helpers/capture-logger.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../../test/helpers/postgres-database.js';
import { PostgresStorage } from '../postgres-storage.js';
import { PG_MIGRATIONS } from './pg-migrations.js';

const available = await postgresAvailable();
const stopped = (): AbortSignal => new AbortController().signal;

async function query<R extends object>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)('PostgreSQL migrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('migrates once when three processes start on an empty database together', async () => {
    const logs = [createCaptureLogger(), createCaptureLogger(), createCaptureLogger()];
    const storages = logs.map(
      ({ log }) => new PostgresStorage({ url: db.url, maxConnections: 2, log, now: () => 42 }),
    );
    try {
      await Promise.all(storages.map((storage) => storage.start()));
      const applied = logs.flatMap((logger) =>
        logger.entries().filter((entry) => entry['message'] === 'Migration applied'),
      );
      expect(applied).toHaveLength(PG_MIGRATIONS.length);
      const recorded = await query<{ version: number; name: string; applied_at: string }>(
        db.url,
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      );
      expect(recorded).toEqual(
        PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: '42' })),
      );
      // Every one of them works on the schema.
      for (const storage of storages) expect(await storage.events.count()).toBe(0);
    } finally {
      await Promise.all(storages.map((storage) => storage.stop(stopped())));
    }
  });

  it('refuses a database whose schema is newer than this RepoSentry, touching nothing', async () => {
    const first = new PostgresStorage({
      url: db.url,
      maxConnections: 1,
      log: createCaptureLogger().log,
    });
    await first.start();
    await first.stop(stopped());
    await query(
      db.url,
      `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`,
    );
    const storage = new PostgresStorage({
      url: db.url,
      maxConnections: 1,
      log: createCaptureLogger().log,
    });
    await expect(storage.start()).rejects.toMatchObject({
      code: 'storage-failed',
      message: expect.stringMatching(/schema version 999, newer than this RepoSentry knows/),
    });
    expect(storage.isOpen).toBe(false);
    const versions = await query<{ version: number }>(
      db.url,
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(versions.map((row) => row.version)).toEqual([
      ...PG_MIGRATIONS.map((m) => m.version),
      999,
    ]);
  });
});
