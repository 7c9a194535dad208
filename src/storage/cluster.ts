import type { EpochMs } from './storage-types.js';

/** Who a replica is, as it registers (shown by `GET /api/v1/replicas`). */
export interface ReplicaIdentity {
  /** Unique per process start: `<host>/<pid>/<random>`. */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  /** When this process started (epoch ms). */
  readonly startedAt: EpochMs;
}

/** A registered replica and what it holds. */
export interface ReplicaRecord extends ReplicaIdentity {
  /** Its last heartbeat, on the database's clock. */
  readonly heartbeatAt: EpochMs;
  /** Whether its last heartbeat is within the ttl. */
  readonly live: boolean;
  /** The repositories whose poll lease it holds, sorted. */
  readonly repositories: readonly string[];
  /** Deliveries it is sending now (in_flight, claimed by it). */
  readonly deliveriesInFlight: number;
}

export interface HeartbeatOptions {
  /** ha.lease_ttl: a replica silent this long is dead. */
  readonly ttlMs: number;
  /** How long the poll leases it renews or takes stay valid (below the ttl). */
  readonly leaseMs: number;
  /**
   * The repositories this replica can poll (its config's enabled ones): it takes leases only of
   * these and hands back any other it holds.
   */
  readonly pollable: readonly string[];
  /**
   * The repositories this replica is polling now or about to poll: never handed back to balance
   * the shares (the taker would poll them again within the interval).
   */
  readonly busy: readonly string[];
}

export interface HeartbeatResult {
  /** The database's clock at the heartbeat. */
  readonly at: EpochMs;
  /** Replicas whose heartbeat is within the ttl, this one included. */
  readonly live: number;
  /** The repositories whose poll lease this replica holds now, sorted. */
  readonly held: readonly string[];
}

/**
 * What several replicas on one database coordinate through (PostgreSQL only): registration and
 * heartbeats, poll leases over the watched repositories, the leader's advisory lock, and a
 * message channel (LISTEN/NOTIFY). Every write is safe when replicas do it at once.
 */
export interface Cluster {
  /** Registers this replica (a new row; its id is new per process start). */
  join(replica: ReplicaIdentity): Promise<void>;
  /**
   * One heartbeat. First, in one short transaction, renews the replica's row (registering it
   * again if it was forgotten), its poll leases and the leases of the deliveries it is sending.
   * Then, in another, takes free or expired poll leases of pollable repositories up to its fair
   * share of the watched repositories (their count over the replicas heard from within the
   * lease length, rounded up) and hands back what it holds beyond that share or cannot poll.
   */
  heartbeat(replica: ReplicaIdentity, options: HeartbeatOptions): Promise<HeartbeatResult>;
  /**
   * Leaves at shutdown: drops its poll leases, queues its in-flight deliveries again and deletes
   * its row, so the others take over at their next heartbeat instead of after the ttl.
   */
  leave(replicaId: string): Promise<void>;
  /** Every registered replica, live ones first, each with what it holds. */
  list(ttlMs: number): Promise<ReplicaRecord[]>;
  /** Deletes the rows of replicas silent for longer than `olderThanMs` (leader housekeeping). */
  forgetSilent(olderThanMs: number): Promise<number>;
  /**
   * Becomes or stays the leader: true while this process holds the leader's advisory lock (on a
   * connection of its own, so the lock dies with the process).
   */
  tryLead(): Promise<boolean>;
  /** Sends a message to every replica's subscribers (this one's included) after the commit. */
  publish(payload: string): Promise<void>;
  /**
   * Receives every published message; resolves once listening. `onGap` is called when listening
   * resumed after its connection was lost (messages of the gap are gone). Returns the
   * unsubscribe.
   */
  subscribe(listener: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>>;
}
