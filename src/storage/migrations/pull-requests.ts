import type { Migration } from './migration.js';

const REF_TYPES = `'tag.created', 'tag.updated', 'tag.deleted')`;
const WITH_PULL_REQUESTS = `'tag.created', 'tag.updated', 'tag.deleted',
          'pull_request.opened', 'pull_request.updated', 'pull_request.closed',
          'pull_request.merged', 'pull_request.reopened')`;

/**
 * Version 5: pull (merge) requests. Events gain the `pull_request.*` types and the request as
 * seen at detection (`pull_request`, JSON); poll state gains the pull-request baseline and when
 * the requests were last listed through the host's API (`pulls_listed_at`).
 *
 * SQLite cannot alter a CHECK constraint, and rebuilding `events` would cascade into every
 * delivery; the constraint's text is widened in the schema instead, as SQLite documents for
 * constraint changes that no stored row can violate (writable_schema, then a new schema
 * version so every connection reads it again).
 */
export const pullRequests: Migration = {
  version: 5,
  name: 'pull-requests',
  up(db) {
    const row = db
      .prepare<[], { sql: string }>(
        `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'events'`,
      )
      .get();
    if (row === undefined || !row.sql.includes(REF_TYPES)) {
      throw new Error('events: the type constraint is not the one version 1 created');
    }
    const version = db.pragma('schema_version', { simple: true }) as number;
    // better-sqlite3 opens connections in SQLite's defensive mode, which forbids this edit.
    db.unsafeMode(true);
    try {
      db.pragma('writable_schema = ON');
      db.prepare(`UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'events'`).run(
        row.sql.replace(REF_TYPES, WITH_PULL_REQUESTS),
      );
      db.pragma(`schema_version = ${version + 1}`);
    } finally {
      db.pragma('writable_schema = OFF');
      db.unsafeMode(false);
    }
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new Error(`events: the schema check after widening failed: ${String(check)}`);
    db.exec(`
      ALTER TABLE events ADD COLUMN pull_request TEXT
        CHECK (pull_request IS NULL OR json_valid(pull_request));
      ALTER TABLE poll_state ADD COLUMN pulls_baselined INTEGER NOT NULL DEFAULT 0
        CHECK (pulls_baselined IN (0, 1));
      ALTER TABLE poll_state ADD COLUMN pulls_listed_at INTEGER;
    `);
  },
};
