import type { PgMigration } from './pg-migration.js';

/** Version 3: the repositories each `discovery` entry found (SQLite's version 6). */
export const discoveryLists: PgMigration = {
  version: 3,
  name: 'discovery-lists',
  async up(client) {
    await client.query(`
      CREATE TABLE discovery_lists (
        entry TEXT COLLATE "C" PRIMARY KEY,
        source_key TEXT NOT NULL,
        repositories JSONB NOT NULL,
        read_at BIGINT,
        failure_code TEXT,
        failure_message TEXT,
        failed_at BIGINT,
        failures INTEGER NOT NULL DEFAULT 0,
        generation INTEGER NOT NULL
      );
    `);
  },
};
