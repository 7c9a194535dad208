import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { PollShare } from '../poller/scheduler.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import type { Cluster, ReplicaIdentity } from '../storage/cluster.js';

export interface ReplicaCoordinatorOptions {
  /** The storage's cluster (available once the storage has started). */
  readonly cluster: () => Cluster;
  readonly identity: ReplicaIdentity;
  /** ha.lease_ttl */
  readonly ttlMs: number;
  readonly log: Logger;
  /** The repositories this replica can poll: its config's enabled ones. */
  readonly pollable: () => readonly string[];
  /**
   * The repositories it is polling now or will poll within `withinMs`: kept when shares are
   * balanced (default none).
   */
  readonly busy?: (withinMs: number) => readonly string[];
  /** The set of repositories this replica polls changed (the scheduler reshares). */
  readonly onShareChanged: () => Promise<void>;
  /** This replica became the leader (true) or lost the lead (false). */
  readonly onLeadership?: (leader: boolean) => void | Promise<void>;
  readonly now?: () => number;
}

/** Replica rows silent this many ttls are deleted by the leader (they show as dead till then). */
const FORGET_AFTER_TTLS = 20;

/**
 * This replica's membership of the cluster: it registers, heartbeats every third of
 * `ha.lease_ttl`, and holds poll leases for its fair share of the repositories. A lease is
 * valid for two thirds of the ttl from the heartbeat that renewed it, and taken over by another
 * replica's heartbeat once expired, so a replica that dies hands over its repositories within
 * the ttl. A replica that cannot renew stops polling when its leases run out (it may have lost
 * them to another). The leader (an advisory lock) does the work for one replica only.
 */
export class ReplicaCoordinator implements Component, PollShare {
  readonly name = 'replicas';
  private held = new Set<string>();
  /** Local time until which the held leases are surely valid. */
  private validUntil = 0;
  private leader = false;
  private live = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private beating: Promise<void> | undefined;
  /** A beat was asked for while one ran: run another right after it. */
  private again = false;
  /** Leader work that failed when this replica came to lead: tried again at every heartbeat. */
  private leadWorkPending = false;
  private lastBeatAt = 0;
  private failures = 0;
  private lastError: string | undefined;

  constructor(private readonly options: ReplicaCoordinatorOptions) {}

  get id(): string {
    return this.options.identity.id;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  holds(repository: string): boolean {
    return this.held.has(repository) && this.now() < this.validUntil;
  }

  async start(): Promise<void> {
    await this.options.cluster().join(this.options.identity);
    this.running = true;
    await this.beat();
    this.arm();
  }

  async stop(_signal: AbortSignal): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.beating;
    this.held = new Set();
    try {
      await this.options.cluster().leave(this.id);
      this.options.log.info('Left the replicas', { replica: this.id });
    } catch (err) {
      // The others take over after the ttl instead.
      this.options.log.warn('Could not leave the replicas cleanly', {
        replica: this.id,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    }
  }

  health(): ComponentHealth {
    const details = {
      replica: this.id,
      leader: this.leader,
      liveReplicas: this.live,
      repositoriesHeld: this.held.size,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
    if (!this.running) return { status: 'stopped', details };
    if (this.failures > 0 && this.now() >= this.validUntil) {
      return { status: 'unhealthy', message: 'heartbeats failing: leases lost', details };
    }
    if (this.failures > 0) return { status: 'degraded', message: 'heartbeat failed', details };
    const role = this.leader ? 'leads' : 'follows';
    const message = `${role}; ${this.live} live replicas; polls ${this.held.size} repositories`;
    return { status: 'healthy', message, details };
  }

  /**
   * One heartbeat now (the timer, and after the watched set changed); none when stopped. Asked
   * for while one runs, another follows it (the set may have changed after it read it).
   */
  beat(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.beating) {
      this.again = true;
      return this.beating;
    }
    this.beating = (async () => {
      do {
        this.again = false;
        await this.heartbeat();
      } while (this.again && this.running);
    })().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  /** The next heartbeat a third of the ttl after the last one began, whatever it took. */
  private arm(): void {
    if (!this.running) return;
    const wait = Math.max(0, this.lastBeatAt + this.options.ttlMs / 3 - this.now());
    this.timer = setTimeout(() => {
      void this.beat().finally(() => this.arm());
    }, wait);
    this.timer.unref();
  }

  /**
   * The heartbeat (lease renewals and balancing), then leadership: a slow leader check or leader
   * work never delays the renewals. A new leader writes the watched set, which asks for another
   * heartbeat to balance over it.
   */
  private async heartbeat(): Promise<void> {
    const { ttlMs, log } = this.options;
    const leaseMs = Math.floor((ttlMs * 2) / 3);
    const sentAt = this.now();
    this.lastBeatAt = sentAt;
    let changed = false;
    try {
      const result = await this.options.cluster().heartbeat(this.options.identity, {
        ttlMs,
        leaseMs,
        pollable: this.options.pollable(),
        // Due before the next heartbeat could tell the scheduler: kept, not handed back.
        busy: this.options.busy?.(ttlMs) ?? [],
      });
      const held = new Set(result.held);
      changed = !sameSet(held, this.held) || sentAt >= this.validUntil;
      this.held = held;
      // Counted from before the request: the database renewed the leases after that.
      this.validUntil = sentAt + leaseMs;
      this.live = result.live;
      if (this.failures > 0) log.info('Heartbeat recovered', { replica: this.id });
      this.failures = 0;
      this.lastError = undefined;
    } catch (err) {
      this.failures += 1;
      this.lastError = `${errorCodeOf(err)}: ${errorMessageOf(err)}`;
      log.warn('Heartbeat failed', {
        replica: this.id,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
      // Past validUntil `holds` answers false: polling stops until a heartbeat renews.
      changed = this.held.size > 0 && this.now() >= this.validUntil;
    }
    if (changed && this.running) await this.reshare();
    await this.lead();
  }

  private async lead(): Promise<void> {
    const { log, onLeadership } = this.options;
    const cluster = this.options.cluster();
    let leader: boolean;
    try {
      leader = await cluster.tryLead();
    } catch (err) {
      log.warn('Could not check the leadership', {
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
      leader = false;
    }
    const changed = leader !== this.leader;
    if (changed) {
      this.leader = leader;
      log.info(leader ? 'This replica leads' : 'This replica no longer leads', {
        replica: this.id,
      });
      this.leadWorkPending = leader;
    }
    if (changed && !leader) await onLeadership?.(false);
    if (this.leadWorkPending && onLeadership) {
      try {
        await onLeadership(true);
        this.leadWorkPending = false;
      } catch (err) {
        log.error('Leader work failed; tried again at the next heartbeat', {
          code: errorCodeOf(err),
          error: errorMessageOf(err),
        });
      }
    }
    if (leader) {
      await cluster.forgetSilent(this.options.ttlMs * FORGET_AFTER_TTLS).catch(() => 0);
    }
  }

  private async reshare(): Promise<void> {
    try {
      await this.options.onShareChanged();
    } catch (err) {
      this.options.log.error('Could not apply the new share of repositories', {
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}
