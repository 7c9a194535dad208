import { discoveryLists } from './discovery-lists.js';
import { initialSchema } from './initial-schema.js';
import { pollActivity } from './poll-activity.js';
import { pullRequests } from './pull-requests.js';
import type { Migration } from './migration.js';
import { scalingIndexes } from './scaling-indexes.js';
import { transitionNumbers } from './transition-numbers.js';
import { writerLock } from './writer-lock.js';

/** Every schema step, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  scalingIndexes,
  transitionNumbers,
  writerLock,
  pullRequests,
  discoveryLists,
  pollActivity,
];
