import path from 'node:path';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import type { EpochMs } from '../../src/storage/storage-types.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createTestDatabase, postgresAvailable } from '../helpers/postgres-database.js';
import { makeTempDir } from './storage-fixtures.js';

/** Every engine behind `Storage`; the storage contract suite runs once per entry. */
export const STORAGE_ENGINES = ['sqlite', 'postgres'] as const;
export type StorageEngine = (typeof STORAGE_ENGINES)[number];

export interface StorageOptions {
  /** The storage's clock (each engine's default otherwise). */
  readonly now?: () => EpochMs;
  /** Start it before each test (default); when false the test starts it. */
  readonly started?: boolean;
}

/** One test's data: a place that outlives a Storage, so a new one can reopen it. */
interface EngineData {
  /** A new Storage on the data, not started. */
  open(now: (() => EpochMs) | undefined): Storage;
  /** Removes the data (every Storage on it stopped). */
  remove(): Promise<void>;
}

interface Engine {
  /** Whether this engine can run here; an engine that cannot is skipped. */
  available(): Promise<boolean>;
  /** Fresh, empty data for one test. */
  create(): Promise<EngineData>;
}

let postgres: Promise<boolean> | undefined;

const ENGINES: Record<StorageEngine, Engine> = {
  sqlite: {
    available: () => Promise.resolve(true),
    create: () => {
      const { dir, cleanup } = makeTempDir();
      return Promise.resolve({
        open: (now) =>
          new SqliteStorage({
            path: path.join(dir, 'reposentry.db'),
            busyTimeoutMs: 1_000,
            log: createCaptureLogger().log,
            ...(now ? { now } : {}),
          }),
        remove: () => Promise.resolve(cleanup()),
      });
    },
  },
  postgres: {
    // Asked once per test file: the notice of an unreachable server is printed once.
    available: () => (postgres ??= postgresAvailable()),
    create: async () => {
      const database = await createTestDatabase();
      return {
        open: (now) =>
          new PostgresStorage({
            url: database.url,
            maxConnections: 4,
            log: createCaptureLogger().log,
            ...(now ? { now } : {}),
          }),
        remove: () => database.drop(),
      };
    },
  },
};

export interface StorageUnderTest {
  /** The test's Storage (the one `reopen` returned last). */
  readonly storage: Storage;
  /** Stops the storage (when open) and starts a new one on the same data. */
  reopen(): Promise<Storage>;
}

const stopped = (): AbortSignal => new AbortController().signal;

/**
 * For every test of the calling `describe`: fresh, empty data of `engine` (a temp SQLite file, a
 * new PostgreSQL database) with a Storage on it, started unless `options.started` is false;
 * stopped and removed after the test. An engine that cannot run here skips the tests.
 */
export function useStorage(engine: StorageEngine, options: StorageOptions = {}): StorageUnderTest {
  let available = false;
  let current: { data: EngineData; storage: Storage } | undefined;
  const need = (): { data: EngineData; storage: Storage } => {
    if (current === undefined) throw new Error('useStorage: used outside a test');
    return current;
  };
  beforeAll(async () => {
    available = await ENGINES[engine].available();
  });
  beforeEach(async (context) => {
    if (!available) context.skip(`the ${engine} engine is not available`);
    const data = await ENGINES[engine].create();
    const storage = data.open(options.now);
    current = { data, storage };
    if (options.started ?? true) await storage.start();
  });
  afterEach(async () => {
    if (current === undefined) return;
    const { data, storage } = current;
    current = undefined;
    try {
      await storage.stop(stopped());
    } finally {
      await data.remove();
    }
  });
  return {
    get storage() {
      return need().storage;
    },
    async reopen() {
      const open = need();
      await open.storage.stop(stopped());
      open.storage = open.data.open(options.now);
      await open.storage.start();
      return open.storage;
    },
  };
}
