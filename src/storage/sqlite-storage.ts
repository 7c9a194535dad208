import { statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../logging/create-logger.js';
import type { ComponentHealth } from '../runtime/component.js';
import { BoundStorage, openStateHealth } from './bound-storage.js';
import { DeliveryStore } from './delivery-store.js';
import { EventStore } from './event-store.js';
import { DiscoveryListStore } from './discovery-list-store.js';
import { HttpCacheStore } from './http-cache-store.js';
import type { Migration } from './migrations/migration.js';
import { openDatabase } from './open-database.js';
import type { PollFailure } from './poll-state-record.js';
import { PollStateStore } from './poll-state-store.js';
import type { PollRecord, PollRecordResult } from './poll-record.js';
import { PollRecorder } from './poll-recorder.js';
import type { PruneCounts } from './prune-counts.js';
import { pruneBatch, pruneOlderThan } from './prune-older-than.js';
import { RefStateStore } from './ref-state-store.js';
import { RefTransitionStore } from './ref-transition-store.js';
import { RepositoryStore } from './repository-store.js';
import { withStorageErrors } from './map-storage-error.js';
import type { Storage } from './storage.js';
import { WriterLock, clearHolder, currentHolder, recordHolder } from './writer-lock.js';
import { storageNotOpenError } from './storage-errors.js';
import type { EpochMs, RepositoryIdentity } from './storage-types.js';

export interface SqliteStorageOptions {
  /** storage.sqlite.path */
  readonly path: string;
  /** storage.sqlite.connection_timeout */
  readonly busyTimeoutMs: number;
  readonly log: Logger;
  readonly now?: () => EpochMs;
  /** Schema steps; the released list unless a test needs another. */
  readonly migrations?: readonly Migration[];
  /**
   * Hold the file's writer lock while open (the daemon, `poll --once --trigger`): opening fails
   * with `storage-locked` while another process holds it. `command` names this one to it.
   */
  readonly writer?: { readonly command: string };
  /** Open without creating, migrating or writing anything (a dry run). */
  readonly readOnly?: boolean;
}

/**
 * The synchronous stores of an open SQLite database and its outbox writes, as the async facades
 * of `SqliteStorage` call them (and the storage tests, which need no Promise to test SQL).
 */
export interface SqliteStores {
  readonly repositories: RepositoryStore;
  readonly refStates: RefStateStore;
  readonly refTransitions: RefTransitionStore;
  readonly pollStates: PollStateStore;
  readonly httpCache: HttpCacheStore;
  readonly discoveryLists: DiscoveryListStore;
  readonly events: EventStore;
  readonly deliveries: DeliveryStore;
  /** The outbox write of a successful poll: see `PollRecorder.recordPoll`. */
  recordPoll(record: PollRecord): PollRecordResult;
  /** Records a failed poll; returns the failures in a row, this one included. */
  recordPollFailure(repository: RepositoryIdentity, failure: PollFailure): number;
  /** Forgets refs that stopped matching a regex (no event). */
  forgetRefs(repository: string, refs: readonly string[]): number;
  /** Retention: every finished event detected before `cutoff`, in batches. */
  pruneOlderThan(cutoff: EpochMs, batchSize?: number): PruneCounts;
  /** One retention batch (one short transaction). */
  pruneBatch(cutoff: EpochMs, batchSize: number): PruneCounts;
}

interface OpenStorage {
  readonly db: Database;
  readonly lock: WriterLock | undefined;
  readonly stores: SqliteStores;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Storage in one SQLite file, the embedded default: `start` opens and migrates it, `stop` closes
 * it (the runtime stops it last). Owns the one better-sqlite3 connection, whose synchronous
 * stores (`sync`) the async facades of `Storage` call: each call runs at once and in order, as
 * one SQLite connection does anyway. Using a store before `start` or after `stop` is
 * `storage-failed`.
 */
export class SqliteStorage extends BoundStorage implements Storage {
  readonly name = 'storage';
  /** The database file, resolved. */
  readonly path: string;
  private current: OpenStorage | undefined;
  private closed = false;

  constructor(private readonly options: SqliteStorageOptions) {
    super();
    this.path = path.resolve(options.path);
  }

  get location(): string {
    return this.path;
  }

  start(): Promise<void> {
    try {
      this.open();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  stop(_signal?: AbortSignal): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** Opens and migrates the database unless already open (synchronous, for CLI commands). */
  open(): void {
    if (this.current) return;
    const { writer } = this.options;
    const lock = writer === undefined ? undefined : new WriterLock(this.path);
    lock?.acquire();
    let db: Database;
    try {
      db = openDatabase({
        path: this.path,
        busyTimeoutMs: this.options.busyTimeoutMs,
        log: this.options.log,
        ...(this.options.now ? { now: this.options.now } : {}),
        ...(this.options.migrations ? { migrations: this.options.migrations } : {}),
        ...(this.options.readOnly ? { readOnly: true } : {}),
      });
      if (writer) {
        withStorageErrors(this.path, () =>
          recordHolder(db, currentHolder(writer.command, (this.options.now ?? Date.now)())),
        );
      }
    } catch (err) {
      lock?.release();
      throw err;
    }
    const now = this.options.now;
    const tables = {
      repositories: new RepositoryStore(db, now),
      refStates: new RefStateStore(db, now),
      refTransitions: new RefTransitionStore(db, now),
      pollStates: new PollStateStore(db, now),
      httpCache: new HttpCacheStore(db, now),
      discoveryLists: new DiscoveryListStore(db, now),
      events: new EventStore(db, now),
      deliveries: new DeliveryStore(db, now),
    };
    const recorder = new PollRecorder(db, tables, now);
    const stores: SqliteStores = {
      ...tables,
      recordPoll: (record) => recorder.recordPoll(record),
      recordPollFailure: (repository, failure) => recorder.recordPollFailure(repository, failure),
      forgetRefs: (repository, refs) => recorder.forgetRefs(repository, refs),
      pruneOlderThan: (cutoff, batchSize) => pruneOlderThan(db, cutoff, batchSize),
      pruneBatch: (cutoff, batchSize) => pruneBatch(db, cutoff, batchSize),
    };
    this.current = { db, lock, stores };
    this.closed = false;
  }

  /** Closes the connection (checkpointing the WAL); safe to call twice or before `open`. */
  close(): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.closed = true;
    try {
      if (current.lock) clearHolder(current.db);
      if (!this.options.readOnly) current.db.pragma('optimize');
    } catch {
      // best effort: closing matters more than the label or planner statistics
    }
    current.db.close();
    current.lock?.release();
    this.options.log.info('Storage closed', { path: this.path });
  }

  get isOpen(): boolean {
    return this.current !== undefined;
  }

  health(): ComponentHealth {
    const details = {
      path: this.path,
      open: this.isOpen,
      sizeBytes: fileSize(this.path),
      walSizeBytes: fileSize(`${this.path}-wal`),
    };
    return openStateHealth(this.isOpen, this.closed, details);
  }

  /** The synchronous stores of the open database; `storage-failed` when it is not open. */
  get sync(): SqliteStores {
    return this.require().stores;
  }

  protected override openStores(): SqliteStores {
    return this.sync;
  }

  private require(): OpenStorage {
    if (this.current) return this.current;
    throw storageNotOpenError(this.path, this.closed);
  }
}
