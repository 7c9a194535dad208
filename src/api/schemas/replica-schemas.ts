import { z } from 'zod';
import { timestamp } from './field-schemas.js';

export const ReplicaSchema = z
  .strictObject({
    id: z.string().meta({ description: '`<host>/<pid>/<random>`, new at every start.' }),
    host: z.string(),
    pid: z.number().int(),
    version: z.string(),
    self: z.boolean().meta({ description: 'Whether this is the replica that answered.' }),
    live: z.boolean().meta({ description: 'Whether its last heartbeat is within ha.lease_ttl.' }),
    startedAt: timestamp('When it registered.'),
    heartbeatAt: timestamp('Its last heartbeat (on the database clock).'),
    repositories: z
      .array(z.string())
      .meta({ description: 'The repositories whose poll lease it holds.' }),
    deliveriesInFlight: z.number().int().meta({ description: 'Deliveries it is sending now.' }),
  })
  .meta({ id: 'Replica', description: 'One daemon sharing the PostgreSQL database.' });

export const ReplicaListSchema = z
  .strictObject({
    storage: z.enum(['sqlite', 'postgres']),
    leaseTtlSeconds: z.number().meta({ description: 'ha.lease_ttl' }),
    replicas: z.array(ReplicaSchema).meta({
      description:
        'Live replicas first. On SQLite (one daemon per database file) the list is empty.',
    }),
  })
  .meta({ id: 'ReplicaList' });
export type ReplicaList = z.infer<typeof ReplicaListSchema>;
