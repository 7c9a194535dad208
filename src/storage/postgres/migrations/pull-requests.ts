import type { PgMigration } from './pg-migration.js';

/**
 * Version 2: pull (merge) requests. The widened type constraint is added NOT VALID and then
 * validated, which scans `events` without holding off its readers. Events gain the `pull_request.*` types and the request as
 * seen at detection (`pull_request`); poll state gains the pull-request baseline and when the
 * requests were last listed through the host's API (`pulls_listed_at`).
 */
export const pullRequests: PgMigration = {
  version: 2,
  name: 'pull-requests',
  async up(client) {
    await client.query(`
      ALTER TABLE events DROP CONSTRAINT events_type_check;
      ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type IN (
        'branch.created', 'branch.updated', 'branch.deleted',
        'tag.created', 'tag.updated', 'tag.deleted',
        'pull_request.opened', 'pull_request.updated', 'pull_request.closed',
        'pull_request.merged', 'pull_request.reopened')) NOT VALID;
      ALTER TABLE events VALIDATE CONSTRAINT events_type_check;
      ALTER TABLE events ADD COLUMN pull_request JSONB;
      ALTER TABLE poll_state ADD COLUMN pulls_baselined BOOLEAN NOT NULL DEFAULT FALSE;
      ALTER TABLE poll_state ADD COLUMN pulls_listed_at BIGINT;
    `);
  },
};
