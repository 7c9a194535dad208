import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { eventIdOf, type ChangeEvent, type EventType } from '../../src/events/change-event.js';
import {
  SqliteStorage,
  type SqliteStorageOptions as StorageOptions,
} from '../../src/storage/sqlite-storage.js';
import type { PollRecord } from '../../src/storage/poll-record.js';
import type { Storage } from '../../src/storage/storage.js';
import type { DeliveryTarget, RepositoryIdentity } from '../../src/storage/storage-types.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';

export const REPO: RepositoryIdentity = {
  name: 'my-app',
  provider: 'github',
  url: 'https://github.com/org/my-app',
};

export const TARGET = { url: 'http://el.example.test:8080', format: 'github' } as const;

/** A fresh directory under the OS temp dir; `cleanup` removes it. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'reposentry-storage-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TempStorage {
  /** The test's open Storage (the one `reopen` returned last). */
  readonly storage: SqliteStorage;
  /** Its directory (fresh per test). */
  readonly dir: string;
  /** `<dir>/reposentry.db`. */
  readonly file: string;
  /** Closes the storage (when open) and opens the same file again. */
  reopen(options?: Partial<StorageOptions>): SqliteStorage;
}

/**
 * For every test of the calling `describe`: a fresh temp directory with a Storage opened on
 * `<dir>/reposentry.db` (with `options`), closed and removed after the test. `setup` runs on the
 * new storage before each test.
 */
export function useTempStorage(
  options: Partial<StorageOptions> = {},
  setup?: (storage: SqliteStorage) => void,
): TempStorage {
  let current: { dir: string; cleanup: () => void; storage: SqliteStorage } | undefined;
  const need = (): { dir: string; cleanup: () => void; storage: SqliteStorage } => {
    if (current === undefined) throw new Error('useTempStorage: used outside a test');
    return current;
  };
  beforeEach(() => {
    const { dir, cleanup } = makeTempDir();
    current = { dir, cleanup, storage: openStorage(dir, options) };
    setup?.(current.storage);
  });
  afterEach(() => {
    const { storage, cleanup } = need();
    storage.close();
    cleanup();
    current = undefined;
  });
  return {
    get storage() {
      return need().storage;
    },
    get dir() {
      return need().dir;
    },
    get file() {
      return path.join(need().dir, 'reposentry.db');
    },
    reopen(reopenOptions = {}) {
      const open = need();
      open.storage.close();
      open.storage = openStorage(open.dir, { ...options, ...reopenOptions });
      return open.storage;
    },
  };
}

/** An opened Storage on `<dir>/reposentry.db` with a captured logger. */
export function openStorage(dir: string, options: Partial<StorageOptions> = {}): SqliteStorage {
  const storage = new SqliteStorage({
    path: path.join(dir, 'reposentry.db'),
    busyTimeoutMs: 1_000,
    log: createCaptureLogger().log,
    ...options,
  });
  storage.open();
  return storage;
}

function typeOf(ref: string, before: string | null, after: string | null): EventType {
  const kind = ref.startsWith('refs/tags/') ? 'tag' : 'branch';
  const action = before === null ? 'created' : after === null ? 'deleted' : 'updated';
  return `${kind}.${action}`;
}

/** A ChangeEvent with its real deterministic id (the ref's first transition unless told). */
export function makeEvent(
  ref: string,
  before: string | null,
  after: string | null,
  detectedAt: number,
  repository: RepositoryIdentity = REPO,
  transition = 1,
): ChangeEvent {
  return {
    id: eventIdOf(repository.name, ref, before, after, transition),
    transition,
    type: typeOf(ref, before, after),
    repository,
    ref,
    before,
    after,
    detectedAt: new Date(detectedAt),
  };
}

/** A 40-hex sha derived from a number, readable in failures. */
export function sha(n: number): string {
  return n.toString(16).padStart(40, '0');
}

export const BASELINED = { branch: true, tag: true, pull: false } as const;

/** The first poll of REPO, at 1_000: the refs it found (ref -> sha) recorded, no event. */
export function baselinePoll(refs: Readonly<Record<string, string>>): PollRecord {
  return {
    repository: REPO,
    refs: { upsert: Object.entries(refs).map(([ref, sha]) => ({ ref, sha })), remove: [] },
    events: [],
    targets: [TARGET],
    pollState: { polledAt: 1_000, nextPollAt: 61_000, via: 'api', baselined: BASELINED },
  };
}

/**
 * The events renumbered the way the poller numbers them: each takes its ref's next transition
 * number after what `storage` recorded (and after the ones before it in the list), id included.
 */
export async function numberEvents(
  storage: Storage,
  events: readonly ChangeEvent[],
): Promise<ChangeEvent[]> {
  const recorded = new Map<string, Map<string, number>>();
  for (const name of new Set(events.map((event) => event.repository.name))) {
    const refs = new Set(events.filter((e) => e.repository.name === name).map((e) => e.ref));
    recorded.set(name, await storage.refTransitions.lastNumbers(name, [...refs]));
  }
  const last = new Map<string, number>();
  return events.map((event) => {
    const { name } = event.repository;
    const key = `${name}\n${event.ref}`;
    const previous = last.get(key) ?? recorded.get(name)?.get(event.ref) ?? 0;
    const transition = previous + 1;
    last.set(key, transition);
    return {
      ...event,
      transition,
      id: eventIdOf(name, event.ref, event.before, event.after, transition),
    };
  });
}

/**
 * Records one event (and a ref update) the way the poller does, with one target; the repository
 * is tracked and the event numbered first (see `numberEvents`). Resolves to it as recorded.
 */
export async function recordEvent(
  storage: Storage,
  unnumbered: ChangeEvent,
  targets: readonly DeliveryTarget[] = [TARGET],
): Promise<ChangeEvent> {
  const [event = unnumbered] = await numberEvents(storage, [unnumbered]);
  const at = event.detectedAt.getTime();
  await storage.repositories.track(event.repository, at);
  await storage.recordPoll({
    repository: event.repository,
    refs: {
      upsert: event.after === null ? [] : [{ ref: event.ref, sha: event.after }],
      remove: event.after === null ? [event.ref] : [],
    },
    events: [event],
    targets,
    pollState: { polledAt: at, nextPollAt: at + 60_000, via: 'api', baselined: BASELINED },
  });
  return event;
}

/**
 * The SQLite engine behind a daemon's storage, for a test that writes rows the way no caller of
 * `Storage` can (thousands of events without polls).
 */
export function sqliteOf(storage: Storage): SqliteStorage {
  if (storage instanceof SqliteStorage) return storage;
  throw new Error(`not an SQLite storage: ${storage.location}`);
}
