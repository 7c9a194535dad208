import type { Router } from 'express';
import type { ApiContext } from '../api-context.js';
import { REPLICA_LIST_ROUTE } from '../contract/replica-contracts.js';
import { mountRoute } from '../mount-route.js';
import type { ReplicaList } from '../schemas/replica-schemas.js';

/** /api/v1/replicas: who shares the work (PostgreSQL), read from the database. */
export function mountReplicaRoutes(router: Router, ctx: ApiContext): void {
  mountRoute(router, ctx, REPLICA_LIST_ROUTE, async (_input, _req, res) => {
    const config = ctx.config();
    const ttlMs = config.ha.leaseTtlMs;
    const cluster = ctx.storage.cluster;
    const replicas = cluster === undefined ? [] : await cluster.list(ttlMs);
    res.json({
      storage: config.storage.type,
      leaseTtlSeconds: ttlMs / 1000,
      replicas: replicas.map((replica) => ({
        id: replica.id,
        host: replica.host,
        pid: replica.pid,
        version: replica.version,
        self: replica.id === ctx.replicaId,
        live: replica.live,
        startedAt: new Date(replica.startedAt).toISOString(),
        heartbeatAt: new Date(replica.heartbeatAt).toISOString(),
        repositories: [...replica.repositories],
        deliveriesInFlight: replica.deliveriesInFlight,
      })),
    } satisfies ReplicaList);
  });
}
