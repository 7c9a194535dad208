import type { Migration } from './migration.js';

/** Version 1: every table of the first release. Times are integer epoch milliseconds. */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial-schema',
  up(db) {
    db.exec(`
      CREATE TABLE repositories (
        name TEXT PRIMARY KEY,
        provider TEXT NOT NULL CHECK (provider IN ('github', 'gitlab', 'git')),
        url TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_in_config_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE ref_state (
        repository TEXT NOT NULL REFERENCES repositories (name) ON DELETE CASCADE,
        ref TEXT NOT NULL,
        sha TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (repository, ref)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE poll_state (
        repository TEXT PRIMARY KEY REFERENCES repositories (name) ON DELETE CASCADE,
        last_poll_at INTEGER,
        last_success_at INTEGER,
        last_error_code TEXT,
        last_error_message TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_poll_at INTEGER,
        last_via TEXT CHECK (last_via IN ('api', 'ls-remote')),
        branches_baselined INTEGER NOT NULL DEFAULT 0 CHECK (branches_baselined IN (0, 1)),
        tags_baselined INTEGER NOT NULL DEFAULT 0 CHECK (tags_baselined IN (0, 1))
      ) STRICT;

      -- No foreign key: the GitHub client caches responses before the first poll is recorded.
      CREATE TABLE http_cache (
        repository TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        etag TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (repository, endpoint)
      ) STRICT;

      -- seq orders events and backs the API cursor; AUTOINCREMENT never reuses a pruned seq.
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        repository TEXT NOT NULL,
        repository_url TEXT NOT NULL,
        provider TEXT NOT NULL CHECK (provider IN ('github', 'gitlab', 'git')),
        ref TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('branch.created', 'branch.updated', 'branch.deleted',
          'tag.created', 'tag.updated', 'tag.deleted')),
        before_sha TEXT,
        after_sha TEXT,
        detected_at INTEGER NOT NULL,
        CHECK (before_sha IS NOT NULL OR after_sha IS NOT NULL)
      ) STRICT;
      CREATE INDEX events_repository_ref_seq ON events (repository, ref, seq);
      CREATE INDEX events_type_seq ON events (type, seq);
      CREATE INDEX events_detected_at ON events (detected_at);

      -- repository and ref are copied from the event: together with target_url they form the
      -- lane in which deliveries go out strictly in order.
      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        repository TEXT NOT NULL,
        ref TEXT NOT NULL,
        target_url TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('github', 'gitlab', 'cloudevents', 'reposentry')),
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'in_flight', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        round_base_attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_status_code INTEGER,
        last_error TEXT,
        body TEXT,
        headers TEXT CHECK (headers IS NULL OR json_valid(headers)),
        created_at INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER,
        UNIQUE (event_id, target_url)
      ) STRICT;
      CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending';
      CREATE INDEX deliveries_open_lane ON deliveries (repository, ref, target_url, id)
        WHERE status IN ('pending', 'in_flight');
      CREATE INDEX deliveries_status_queued ON deliveries (status, queued_at);

      CREATE TABLE delivery_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        started_at INTEGER NOT NULL,
        status_code INTEGER,
        latency_ms INTEGER NOT NULL CHECK (latency_ms >= 0),
        error TEXT
      ) STRICT;
      CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);
    `);
  },
};
