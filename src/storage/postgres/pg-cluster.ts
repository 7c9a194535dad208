import pg from 'pg';
import type { ReposentryError } from '../../errors/reposentry-error.js';
import type { Logger } from '../../logging/create-logger.js';
import type {
  Cluster,
  HeartbeatOptions,
  HeartbeatResult,
  ReplicaIdentity,
  ReplicaRecord,
} from '../cluster.js';
import type { EpochMs } from '../storage-types.js';
import { ADVISORY_LOCK, LOCK_NAMESPACE } from './advisory-locks.js';
import { DB_NOW_MS } from './db-clock.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { pgClientConfig } from './pg-pool.js';

/** The LISTEN/NOTIFY channel of the replicas of one database. */
const CHANNEL = 'reposentry';
/** How long a lost listening connection waits before it connects again. */
const RELISTEN_DELAY_MS = 1000;

export interface PgClusterOptions {
  readonly url: string;
  readonly db: PgDatabase;
  readonly log: Logger;
  readonly mapError: (err: unknown) => ReposentryError;
  readonly now: () => EpochMs;
}

interface ReplicaRow {
  id: string;
  host: string;
  pid: number;
  version: string;
  startedAt: number;
  heartbeatAt: number;
  live: boolean;
  repositories: string[] | null;
  deliveriesInFlight: number;
}

/**
 * The replicas' coordination on PostgreSQL (see `Cluster`): rows in `replicas` and
 * `poll_leases` compared on the database's clock, the leader's session advisory lock on a
 * connection of its own, and LISTEN/NOTIFY on another. Every write is one statement or one
 * transaction that is safe when replicas run it at once (a lease is taken only where it is free
 * or expired, checked again under the row lock).
 */
export class PgCluster implements Cluster {
  private leaderClient: pg.Client | undefined;
  /** Whether `leaderClient`'s session holds the leader's lock. */
  private leading = false;
  private listener: Listener | undefined;
  private closed = false;

  constructor(private readonly options: PgClusterOptions) {}

  async join(replica: ReplicaIdentity): Promise<void> {
    await this.register(this.options.db, replica);
  }

  /** Inserts the replica's row, or renews its heartbeat; returns the database's clock. */
  private async register(q: PgQueryable, replica: ReplicaIdentity): Promise<number> {
    const row = await q.first<{ at: number }>(
      `INSERT INTO replicas (id, host, pid, version, started_at, heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, ${DB_NOW_MS})
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at
       RETURNING heartbeat_at AS at`,
      [replica.id, replica.host, replica.pid, replica.version, replica.startedAt],
    );
    return row?.at ?? this.options.now();
  }

  async heartbeat(replica: ReplicaIdentity, options: HeartbeatOptions): Promise<HeartbeatResult> {
    const { ttlMs, leaseMs, pollable, busy } = options;
    const id = replica.id;
    // Renewals first, alone: short, touching only this replica's rows, so nothing else waits on
    // them and a failed balancing below cannot take them back.
    const at = await this.options.db.transaction(async (tx) => {
      const now = await this.register(tx, replica);
      await tx.run('UPDATE poll_leases SET expires_at = $2 WHERE replica = $1', [
        id,
        now + leaseMs,
      ]);
      await tx.run(
        `UPDATE deliveries SET lease_until = $2
           WHERE claimed_by = $1 AND status = 'in_flight'`,
        [id, now + ttlMs],
      );
      return now;
    });
    return this.options.db.transaction(async (tx) => {
      // A replica counts as live while a lease it renewed could still hold: one silent for the
      // lease length holds nothing any more, and its share goes to the others.
      const counts = await tx.first<{ live: number; total: number }>(
        `SELECT (SELECT count(*) FROM replicas WHERE heartbeat_at > $1) AS live,
                (SELECT count(*) FROM repositories) AS total`,
        [at - leaseMs],
      );
      const live = Math.max(1, counts?.live ?? 1);
      const fair = Math.ceil((counts?.total ?? 0) / live);
      // Hand back what this replica cannot poll (not in its config).
      await tx.run(
        'DELETE FROM poll_leases WHERE replica = $1 AND NOT (repository = ANY($2::text[]))',
        [id, pollable],
      );
      // Expired leases (their holder stopped renewing: dead, cut off) are taken at once, above
      // the fair share if need be, so a dead replica's repositories wait no longer than the
      // ttl; a later heartbeat hands back the surplus that is not being polled.
      await tx.run(
        `UPDATE poll_leases l SET replica = $1, expires_at = $2
           FROM (SELECT repository FROM poll_leases
                   WHERE expires_at <= $3 AND repository = ANY($4::text[])
                   ORDER BY repository FOR UPDATE SKIP LOCKED) expired
           WHERE l.repository = expired.repository`,
        [id, at + leaseMs, at, pollable],
      );
      const now = await tx.first<{ held: number }>(
        'SELECT count(*) AS held FROM poll_leases WHERE replica = $1',
        [id],
      );
      const held = now?.held ?? 0;
      if (held < fair) {
        // Free or expired leases of pollable repositories, in one order for every replica (by
        // name): replicas taking at once wait for each other row by row, never in a cycle; a
        // lease another took first is skipped.
        await tx.run(
          `INSERT INTO poll_leases (repository, replica, expires_at)
             SELECT r.name, $1, $2 FROM repositories r
               WHERE r.name = ANY($5::text[])
                 AND NOT EXISTS (SELECT 1 FROM poll_leases l
                   WHERE l.repository = r.name AND l.expires_at > $3)
               ORDER BY r.name LIMIT $4
           ON CONFLICT (repository) DO UPDATE
             SET replica = EXCLUDED.replica, expires_at = EXCLUDED.expires_at
             WHERE poll_leases.expires_at <= $3`,
          [id, at + leaseMs, at, fair - held, pollable],
        );
      } else if (held > fair) {
        // Hands back, of those it is not polling now or about to, the ones polled last
        // (furthest from their next poll), so the replica taking one over polls it when it is
        // due, not twice in one interval.
        await tx.run(
          `DELETE FROM poll_leases WHERE repository IN (
             SELECT l.repository FROM poll_leases l
               LEFT JOIN poll_state p ON p.repository = l.repository
               WHERE l.replica = $1 AND NOT (l.repository = ANY($3::text[]))
               ORDER BY p.next_poll_at DESC NULLS LAST, l.repository LIMIT $2)`,
          [id, held - fair, busy],
        );
      }
      const rows = await tx.rows<{ repository: string }>(
        'SELECT repository FROM poll_leases WHERE replica = $1 ORDER BY repository',
        [id],
      );
      return { at, live, held: rows.map((row) => row.repository) };
    });
  }

  leave(replicaId: string): Promise<void> {
    return this.options.db.transaction(async (tx) => {
      await tx.run('DELETE FROM poll_leases WHERE replica = $1', [replicaId]);
      await tx.run(
        `UPDATE deliveries SET status = 'pending', claimed_by = NULL, lease_until = NULL,
             updated_at = $2
           WHERE claimed_by = $1 AND status = 'in_flight'`,
        [replicaId, this.options.now()],
      );
      await tx.run('DELETE FROM replicas WHERE id = $1', [replicaId]);
    });
  }

  async list(ttlMs: number): Promise<ReplicaRecord[]> {
    const rows = await this.options.db.rows<ReplicaRow>(
      `SELECT r.id, r.host, r.pid, r.version, r.started_at AS "startedAt",
              r.heartbeat_at AS "heartbeatAt",
              r.heartbeat_at > ${DB_NOW_MS} - $1 AS live,
              (SELECT array_agg(l.repository ORDER BY l.repository) FROM poll_leases l
                 WHERE l.replica = r.id AND l.expires_at > ${DB_NOW_MS}) AS repositories,
              (SELECT count(*) FROM deliveries d
                 WHERE d.claimed_by = r.id AND d.status = 'in_flight') AS "deliveriesInFlight"
         FROM replicas r
         ORDER BY live DESC, r.started_at, r.id`,
      [ttlMs],
    );
    return rows.map((row) => ({ ...row, repositories: row.repositories ?? [] }));
  }

  forgetSilent(olderThanMs: number): Promise<number> {
    return this.options.db.run(`DELETE FROM replicas WHERE heartbeat_at < ${DB_NOW_MS} - $1`, [
      olderThanMs,
    ]);
  }

  async tryLead(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const client = this.leaderClient ?? (await this.connectLeaderClient());
      if (this.leading) {
        // The lock lives as long as this session: a live session still holds it.
        await client.query('SELECT 1');
        return true;
      }
      const result = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_lock($1, $2) AS held',
        [LOCK_NAMESPACE, ADVISORY_LOCK.leader],
      );
      this.leading = result.rows[0]?.held === true;
      return this.leading;
    } catch (err) {
      this.dropLeaderClient();
      throw this.options.mapError(err);
    }
  }

  private async connectLeaderClient(): Promise<pg.Client> {
    const client = new pg.Client({ ...pgClientConfig(this.options.url), keepAlive: true });
    client.on('error', () => {
      // The session and its lock are gone: another replica may lead now.
      if (this.leaderClient === client) this.dropLeaderClient();
    });
    await client.connect();
    this.leaderClient = client;
    return client;
  }

  private dropLeaderClient(): void {
    const client = this.leaderClient;
    this.leaderClient = undefined;
    this.leading = false;
    void client?.end().catch(() => undefined);
  }

  async publish(payload: string): Promise<void> {
    await this.options.db.run('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
  }

  async subscribe(
    listener: (payload: string) => void,
    onGap?: () => void,
  ): Promise<() => Promise<void>> {
    const subscription = new Listener(this.options, listener, onGap);
    this.listener = subscription;
    await subscription.start();
    return () => subscription.stop();
  }

  /** Ends the leader's and the listener's connections (the leader's lock goes with its own). */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.leaderClient;
    this.leaderClient = undefined;
    this.leading = false;
    await client?.end().catch(() => undefined);
    await this.listener?.stop();
  }
}

/** One LISTEN connection, connected again (after a pause) when it is lost. */
class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  /** Listening was lost since the last start: the next successful start reports a gap. */
  private lost = false;

  constructor(
    private readonly options: PgClusterOptions,
    private readonly listener: (payload: string) => void,
    private readonly onGap: (() => void) | undefined,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ ...pgClientConfig(this.options.url), keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload !== undefined) {
        this.listener(message.payload);
      }
    });
    client.on('error', (err) => {
      this.options.log.warn('Replica message connection lost; listening again shortly', {
        code: this.options.mapError(err).code,
      });
      this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw this.options.mapError(err);
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.lost) {
      this.lost = false;
      this.options.log.info('Listening to the other replicas again');
      this.onGap?.();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private reconnect(lost: pg.Client): void {
    if (this.stopped || this.client !== lost) return;
    this.client = undefined;
    this.lost = true;
    void lost.end().catch(() => undefined);
    this.retryLater();
  }

  private retryLater(): void {
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      this.start().catch(() => this.retryLater());
    }, RELISTEN_DELAY_MS);
    this.retry.unref();
  }
}
