import type { PgMigration } from './pg-migration.js';

/** Version 4: poll_state.active_at (SQLite's version 7). */
export const pollActivity: PgMigration = {
  version: 4,
  name: 'poll-activity',
  async up(client) {
    await client.query('ALTER TABLE poll_state ADD COLUMN active_at BIGINT;');
  },
};
