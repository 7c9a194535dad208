import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReplicaIdentity } from '../storage/cluster.js';

/**
 * This process as a replica: `<host>/<pid>/<random>`, new at every start, so a restarted replica
 * never takes for its own what its previous run held (that passes over by lease expiry).
 */
export function newReplicaIdentity(version: string): ReplicaIdentity {
  const host = hostname();
  return {
    id: `${host}/${process.pid}/${randomBytes(3).toString('hex')}`,
    host,
    pid: process.pid,
    version,
    startedAt: Date.now(),
  };
}
