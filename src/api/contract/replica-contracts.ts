import { ReplicaListSchema } from '../schemas/replica-schemas.js';
import { defineRoute, json, problem } from './route-contract.js';

export const REPLICA_LIST_ROUTE = defineRoute({
  method: 'get',
  path: '/api/v1/replicas',
  summary:
    'The replicas sharing the PostgreSQL database: each one live or silent, the repositories it polls and the deliveries it is sending.',
  tag: 'status',
  responses: {
    200: json(ReplicaListSchema, 'Replicas.'),
    503: problem('Storage not available.'),
  },
});
