import type { Migration } from './migration.js';

/**
 * Version 6: the repositories each `discovery` entry found (see DiscoveryListRecord), one row per
 * entry, with its last failed read.
 */
export const discoveryLists: Migration = {
  version: 6,
  name: 'discovery-lists',
  up(db) {
    db.exec(`
      CREATE TABLE discovery_lists (
        entry TEXT PRIMARY KEY,
        source_key TEXT NOT NULL,
        repositories TEXT NOT NULL CHECK (json_valid(repositories)),
        read_at INTEGER,
        failure_code TEXT,
        failure_message TEXT,
        failed_at INTEGER,
        failures INTEGER NOT NULL DEFAULT 0,
        generation INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
