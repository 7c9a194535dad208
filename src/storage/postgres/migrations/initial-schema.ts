import type { PgMigration } from './pg-migration.js';

/**
 * Version 1: the schema of the SQLite engine at its version 4, in PostgreSQL terms. Same tables,
 * columns, constraints and indexes, with these differences:
 * - times, seqs and ids are BIGINT (epoch milliseconds from the app clock, as in SQLite); events.seq,
 *   deliveries.id and delivery_attempts.id are identities, which never hand out a value twice;
 * - flags are BOOLEAN, and every text that is a key or ordered is `COLLATE "C"`, so it sorts by
 *   bytes as SQLite does and its index serves ORDER BY;
 * - deliveries.headers is `json` (validated, kept exactly as written: header order included);
 * - deliveries.claimed_by and deliveries.lease_until: which replica sends an in_flight delivery,
 *   and until when its lease runs;
 * - no writer_lock (several replicas write at once); instead `replicas` and `poll_leases`.
 */
export const initialSchema: PgMigration = {
  version: 1,
  name: 'initial-schema',
  async up(client) {
    await client.query(`
      CREATE TABLE repositories (
        name TEXT COLLATE "C" PRIMARY KEY,
        provider TEXT NOT NULL CHECK (provider IN ('github', 'gitlab', 'git')),
        url TEXT NOT NULL,
        first_seen_at BIGINT NOT NULL,
        last_seen_in_config_at BIGINT NOT NULL
      );
      CREATE TABLE ref_state (
        repository TEXT COLLATE "C" NOT NULL REFERENCES repositories (name) ON DELETE CASCADE,
        ref TEXT COLLATE "C" NOT NULL,
        sha TEXT NOT NULL,
        seen_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (repository, ref)
      );
      CREATE TABLE poll_state (
        repository TEXT COLLATE "C" PRIMARY KEY REFERENCES repositories (name) ON DELETE CASCADE,
        last_poll_at BIGINT,
        last_success_at BIGINT,
        last_error_code TEXT,
        last_error_message TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_poll_at BIGINT,
        last_via TEXT CHECK (last_via IN ('api', 'ls-remote')),
        branches_baselined BOOLEAN NOT NULL DEFAULT FALSE,
        tags_baselined BOOLEAN NOT NULL DEFAULT FALSE
      );
      -- No foreign key: the GitHub client caches responses before the first poll is recorded.
      CREATE TABLE http_cache (
        repository TEXT COLLATE "C" NOT NULL,
        endpoint TEXT COLLATE "C" NOT NULL,
        etag TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (repository, endpoint)
      );
      -- seq orders events and backs the API cursor; an identity never reuses a pruned seq.
      CREATE TABLE events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT COLLATE "C" NOT NULL UNIQUE,
        repository TEXT COLLATE "C" NOT NULL,
        repository_url TEXT NOT NULL,
        provider TEXT NOT NULL CHECK (provider IN ('github', 'gitlab', 'git')),
        ref TEXT COLLATE "C" NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('branch.created', 'branch.updated', 'branch.deleted',
          'tag.created', 'tag.updated', 'tag.deleted')),
        before_sha TEXT,
        after_sha TEXT,
        transition_number INTEGER NOT NULL,
        detected_at BIGINT NOT NULL,
        CHECK (before_sha IS NOT NULL OR after_sha IS NOT NULL)
      );
      CREATE INDEX events_repository_ref_seq ON events (repository, ref, seq);
      CREATE INDEX events_repository_seq ON events (repository, seq);
      CREATE INDEX events_type_seq ON events (type, seq);
      CREATE INDEX events_detected_at ON events (detected_at);
      -- Transitions recorded per (repository, ref): no foreign key, never deleted, so a number
      -- (and the event id derived from it) is never used twice.
      CREATE TABLE ref_transitions (
        repository TEXT COLLATE "C" NOT NULL,
        ref TEXT COLLATE "C" NOT NULL,
        last_number INTEGER NOT NULL CHECK (last_number >= 1),
        PRIMARY KEY (repository, ref)
      );
      -- repository and ref are copied from the event: together with target_url they form the
      -- lane in which deliveries go out strictly in order.
      CREATE TABLE deliveries (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        repository TEXT COLLATE "C" NOT NULL,
        ref TEXT COLLATE "C" NOT NULL,
        target_url TEXT COLLATE "C" NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('github', 'gitlab', 'cloudevents', 'reposentry')),
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'in_flight', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        round_base_attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_status_code INTEGER,
        last_error TEXT,
        body TEXT,
        headers JSON,
        created_at BIGINT NOT NULL,
        queued_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        delivered_at BIGINT,
        -- The replica sending this in_flight delivery, and when its lease on it runs out
        -- (database clock, epoch ms; renewed by its heartbeats), after which another replica
        -- takes it over.
        claimed_by TEXT,
        lease_until BIGINT,
        UNIQUE (event_id, target_url)
      );
      CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending';
      CREATE INDEX deliveries_pending_by_id ON deliveries (id) WHERE status = 'pending';
      CREATE INDEX deliveries_open_lane ON deliveries (repository, ref, target_url, id)
        WHERE status IN ('pending', 'in_flight');
      CREATE INDEX deliveries_status_queued ON deliveries (status, queued_at);
      CREATE TABLE delivery_attempts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        started_at BIGINT NOT NULL,
        status_code INTEGER,
        latency_ms BIGINT NOT NULL CHECK (latency_ms >= 0),
        error TEXT
      );
      CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);
      -- Replicas: one row per running daemon (its id is new per process start), its heartbeat
      -- on the database's clock. A replica silent for ha.lease_ttl is dead.
      CREATE TABLE replicas (
        id TEXT COLLATE "C" PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        version TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      );
      -- Poll leases: the replica that polls a repository, until expires_at (database clock),
      -- renewed by its heartbeats; an expired lease is taken over by another replica. No
      -- foreign key to replicas: a lease outlives its dead holder until it expires.
      CREATE TABLE poll_leases (
        repository TEXT COLLATE "C" PRIMARY KEY REFERENCES repositories (name) ON DELETE CASCADE,
        replica TEXT COLLATE "C" NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX poll_leases_replica ON poll_leases (replica);
      CREATE INDEX deliveries_claimed_by ON deliveries (claimed_by) WHERE status = 'in_flight';
    `);
  },
};
