import type { EventFeed } from '../api/event-feed.js';
import type { Config } from '../config/config-types.js';
import { ReposentryError } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import { ReplicaCoordinator } from '../replicas/replica-coordinator.js';
import type { ReplicaIdentity } from '../storage/cluster.js';
import type { Storage } from '../storage/storage.js';
import { ClusterBridge } from './cluster-bridge.js';

export interface Replicas {
  readonly identity: ReplicaIdentity;
  readonly coordinator: ReplicaCoordinator;
  readonly bridge: ClusterBridge;
}

export interface BuildReplicasOptions {
  readonly config: Config;
  readonly identity: ReplicaIdentity;
  readonly storage: Storage;
  readonly feed: EventFeed;
  readonly log: Logger;
  /** The repositories this replica can poll (its config's enabled ones). */
  readonly pollable: () => readonly string[];
  /** The repositories it is polling or about to poll (within `withinMs`). */
  readonly busy: (withinMs: number) => readonly string[];
  /** The repositories this replica holds changed. */
  readonly onShareChanged: () => Promise<void>;
  /** This replica came to lead (write the watched set now). */
  readonly onLead: () => Promise<void>;
  /** Another replica recorded events or changed a delivery. */
  readonly onRemoteChange: () => void;
  /** Another replica's API asked for a poll now. */
  readonly onPollRequest: (repository: string, nudge: boolean) => void;
  /** Another replica stored a discovery list. */
  readonly onDiscoveryStored: () => void;
}

/**
 * The parts of a daemon that is one of several replicas on one database: its membership
 * (heartbeats, poll leases, the leader's lock) and the messages between replicas' event feeds.
 */
export function buildReplicas(options: BuildReplicasOptions): Replicas {
  const { storage, identity, log } = options;
  const cluster = () => {
    const current = storage.cluster;
    if (current === undefined) {
      throw new ReposentryError('storage-failed', `Storage ${storage.location} is not open`);
    }
    return current;
  };
  const coordinator = new ReplicaCoordinator({
    cluster,
    identity,
    ttlMs: options.config.ha.leaseTtlMs,
    log: log.child({ component: 'replicas' }),
    pollable: options.pollable,
    busy: options.busy,
    onShareChanged: options.onShareChanged,
    onLeadership: (leader) => (leader ? options.onLead() : undefined),
  });
  const bridge = new ClusterBridge({
    cluster: {
      publish: (payload) => cluster().publish(payload),
      subscribe: (listener, onGap) => cluster().subscribe(listener, onGap),
    },
    replicaId: identity.id,
    feed: options.feed,
    log: log.child({ component: 'replicas' }),
    onRemoteChange: options.onRemoteChange,
    onPollRequest: options.onPollRequest,
    onDiscoveryStored: options.onDiscoveryStored,
  });
  return { identity, coordinator, bridge };
}
