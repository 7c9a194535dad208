import { discoveryLists } from './discovery-lists.js';
import { initialSchema } from './initial-schema.js';
import { pollActivity } from './poll-activity.js';
import { pullRequests } from './pull-requests.js';
import type { PgMigration } from './pg-migration.js';

/** Every PostgreSQL schema step, oldest first. Append only. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  initialSchema,
  pullRequests,
  discoveryLists,
  pollActivity,
];
