import type pg from 'pg';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { Logger } from '../../logging/create-logger.js';
import type { ComponentHealth } from '../../runtime/component.js';
import { BoundStorage, openStateHealth, type EngineStores } from '../bound-storage.js';
import type { Cluster } from '../cluster.js';
import { latestVersion } from '../schema-steps.js';
import type { Storage } from '../storage.js';
import { storageNotOpenError } from '../storage-errors.js';
import type { EpochMs } from '../storage-types.js';
import { mapPostgresError } from './map-postgres-error.js';
import { PG_MIGRATIONS } from './migrations/pg-migrations.js';
import { runPgMigrations, schemaVersionOf } from './migrations/run-pg-migrations.js';
import { PgDatabase } from './pg-database.js';
import { PgDeliveryStore, type DeliveryClaimant } from './pg-delivery-store.js';
import { PgEventStore } from './pg-event-store.js';
import { PgDiscoveryListStore } from './pg-discovery-list-store.js';
import { PgHttpCacheStore } from './pg-http-cache-store.js';
import { createPgPool } from './pg-pool.js';
import { PgPollRecorder } from './pg-poll-recorder.js';
import { PgPollStateStore } from './pg-poll-state-store.js';
import { pgPruneBatch } from './pg-prune-batch.js';
import { PgRefStateStore } from './pg-ref-state-store.js';
import { PgRefTransitionStore } from './pg-ref-transition-store.js';
import { PgRepositoryStore } from './pg-repository-store.js';
import { PgCluster } from './pg-cluster.js';
import { postgresLocation, type PostgresLocation } from './postgres-location.js';

export interface PostgresStorageOptions {
  /** Connection string (storage.postgres.url); TLS as the URL says (sslmode=...). */
  readonly url: string;
  /** Pool size (storage.postgres.max_connections). */
  readonly maxConnections: number;
  readonly log: Logger;
  /** The app clock for stored times (tests inject it). */
  readonly now?: () => EpochMs;
  /**
   * The replica (or one-shot command) that claims deliveries: its id and ha.lease_ttl. Without
   * one, claims carry no lease (tests of the queue alone).
   */
  readonly claimant?: DeliveryClaimant;
  /**
   * Open without migrating or writing anything (a dry run); a schema older or newer than this
   * RepoSentry's, or none at all, is refused.
   */
  readonly readOnly?: boolean;
}

interface OpenPostgres {
  readonly pool: pg.Pool;
  readonly cluster: PgCluster;
  readonly stores: EngineStores;
}

/**
 * Storage in a PostgreSQL database, the engine for several replicas: `start` connects, takes the
 * writer lock (when a writer) and migrates; `stop` drains the pool and lets go of the lock (the
 * runtime stops it last). Every call runs on a pooled connection; each outbox write is one
 * transaction. Using a store before `start` or after `stop` is `storage-failed`. The connection
 * string's credentials appear nowhere: `location` and every message carry it redacted.
 */
export class PostgresStorage extends BoundStorage implements Storage {
  readonly name = 'storage';
  /** The connection string without credentials. */
  readonly location: string;
  private readonly where: PostgresLocation;
  private readonly now: () => EpochMs;
  private current: OpenPostgres | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: PostgresStorageOptions) {
    super();
    this.where = postgresLocation(options.url);
    this.location = this.where.text;
    this.now = options.now ?? Date.now;
  }

  get isOpen(): boolean {
    return this.current !== undefined;
  }

  /** The replicas' coordination on this database (once started). */
  get cluster(): Cluster | undefined {
    return this.current?.cluster;
  }

  /** Connects and migrates (unless read-only). */
  start(): Promise<void> {
    if (this.current) return Promise.resolve();
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Ends the cluster's own connections, lets the pool finish what runs and closes it. */
  async stop(_signal?: AbortSignal): Promise<void> {
    await this.opening?.catch(() => undefined);
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.closed = true;
    await current.cluster.close();
    await current.pool.end().catch(() => undefined);
    this.options.log.info('Storage closed', { location: this.location });
  }

  health(): ComponentHealth {
    const pool = this.current?.pool;
    const details = {
      location: this.location,
      open: this.isOpen,
      pool: {
        max: this.options.maxConnections,
        total: pool?.totalCount ?? 0,
        idle: pool?.idleCount ?? 0,
        waiting: pool?.waitingCount ?? 0,
      },
    };
    return openStateHealth(this.isOpen, this.closed, details);
  }

  private async open(): Promise<void> {
    const { url, maxConnections, log, readOnly } = this.options;
    checkUrl(url, this.where);
    const pool = createPgPool({ url, maxConnections, ...(readOnly ? { readOnly } : {}) });
    // An idle pooled connection that breaks is dropped by the pool; the next call opens another.
    pool.on('error', (err) => {
      log.warn('Storage connection lost', {
        location: this.location,
        code: mapPostgresError(err, this.where).code,
        error: this.where.scrub(err.message),
      });
    });
    let schemaVersion: number;
    try {
      schemaVersion = readOnly
        ? await this.checkSchema(pool)
        : (
            await runPgMigrations(pool, PG_MIGRATIONS, {
              location: this.location,
              log,
              now: this.now,
            })
          ).version;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw mapPostgresError(err, this.where);
    }
    const mapError = (err: unknown): ReposentryError => mapPostgresError(err, this.where);
    const db = new PgDatabase(pool, mapError);
    const cluster = new PgCluster({ url, db, log, mapError, now: this.now });
    this.current = { pool, cluster, stores: createStores(db, this.now, this.options.claimant) };
    this.closed = false;
    log.info(readOnly ? 'Storage opened read-only' : 'Storage opened', {
      location: this.location,
      schemaVersion,
    });
  }

  /** Read-only: the schema must be exactly this RepoSentry's (it cannot migrate). */
  private async checkSchema(pool: pg.Pool): Promise<number> {
    const latest = latestVersion(PG_MIGRATIONS);
    const found = await schemaVersionOf(pool);
    if (found === latest) return found;
    throw new ReposentryError(
      'storage-failed',
      found === 0
        ? `Database ${this.location} has no RepoSentry schema, and a read-only look cannot ` +
            `create it: start the daemon (or poll --once --trigger) once to create it`
        : found > latest
          ? `Database ${this.location} has schema version ${found}, newer than this RepoSentry ` +
            `knows (${latest})`
          : `Database ${this.location} has schema version ${found} and this RepoSentry reads ` +
            `${latest}: a read-only look cannot migrate it; start the daemon (or poll --once ` +
            `--trigger) once to migrate it`,
    );
  }

  protected override openStores(): EngineStores {
    if (this.current) return this.current.stores;
    throw storageNotOpenError(this.location, this.closed);
  }
}

function createStores(
  db: PgDatabase,
  now: () => EpochMs,
  claimant: DeliveryClaimant | undefined,
): EngineStores {
  const recorder = new PgPollRecorder(db);
  return {
    repositories: new PgRepositoryStore(db, now),
    refStates: new PgRefStateStore(db),
    refTransitions: new PgRefTransitionStore(db),
    pollStates: new PgPollStateStore(db),
    httpCache: new PgHttpCacheStore(db, now),
    discoveryLists: new PgDiscoveryListStore(db),
    events: new PgEventStore(db),
    deliveries: new PgDeliveryStore(db, now, claimant),
    recordPoll: (record) => recorder.recordPoll(record),
    recordPollFailure: (repository, failure) => recorder.recordPollFailure(repository, failure),
    pruneBatch: (cutoff, batchSize) => pgPruneBatch(db, cutoff, batchSize),
  };
}

/** `storage-failed` for a connection string pg cannot read (its message would echo it). */
function checkUrl(url: string, where: PostgresLocation): void {
  try {
    new URL(url);
  } catch {
    throw new ReposentryError(
      'storage-failed',
      `Database ${where.text}: the connection string is not a URL ` +
        `(postgres://user:password@host:port/database)`,
    );
  }
}
