/**
 * What `storage migrate` copies: each table's columns, how they convert between the SQLite and
 * the PostgreSQL schema, and the order rows are read in.
 */
/** The tables `storage migrate` copies, in foreign-key order. */
export const COPIED_TABLES = [
  'repositories',
  'ref_state',
  'ref_transitions',
  'poll_state',
  'http_cache',
  'discovery_lists',
  'events',
  'deliveries',
  'delivery_attempts',
] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];
export type TableCounts = Record<CopiedTable, number>;

/** Every RepoSentry table of the PostgreSQL schema: all must be empty before a copy. */
export const TARGET_TABLES = [...COPIED_TABLES, 'replicas', 'poll_leases'] as const;

/** Rows per INSERT, unless a batch reaches BATCH_BYTES first (http_cache bodies are large). */
export const BATCH_ROWS = 5_000;
export const BATCH_BYTES = 8 * 1024 * 1024;

export type PgType = 'text' | 'bigint' | 'integer' | 'boolean';

export interface Column {
  readonly name: string;
  readonly type: PgType;
  /** The SQLite expression read (default: the column). */
  readonly from?: string;
  /** The PostgreSQL expression inserted, over the batch row `r` (default: `r.<name>`). */
  readonly into?: string;
}

export interface TableCopy {
  readonly table: CopiedTable;
  readonly columns: readonly Column[];
  readonly orderBy: string;
  /** The GENERATED ALWAYS identity column, continued past the copied values. */
  readonly identity?: string;
}

const text = (name: string, extra: Partial<Column> = {}): Column => ({
  name,
  type: 'text',
  ...extra,
});
const bigint = (name: string): Column => ({ name, type: 'bigint' });
const integer = (name: string): Column => ({ name, type: 'integer' });
const boolean = (name: string): Column => ({ name, type: 'boolean' });

/**
 * How each table is copied. The PostgreSQL schema is the SQLite one (initial-schema.ts) with
 * BOOLEAN flags for SQLite's 0/1, `json` headers, identities for AUTOINCREMENT keys, and the
 * replica columns (deliveries.claimed_by, lease_until), which stay NULL: no replica holds
 * anything yet, so a delivery in flight in SQLite (its process stopped mid-send) is pending.
 */
export const COPIES: readonly TableCopy[] = [
  {
    table: 'repositories',
    columns: [
      text('name'),
      text('provider'),
      text('url'),
      bigint('first_seen_at'),
      bigint('last_seen_in_config_at'),
    ],
    orderBy: 'name',
  },
  {
    table: 'ref_state',
    columns: [
      text('repository'),
      text('ref'),
      text('sha'),
      bigint('seen_at'),
      bigint('updated_at'),
    ],
    orderBy: 'repository, ref',
  },
  {
    table: 'ref_transitions',
    columns: [text('repository'), text('ref'), integer('last_number')],
    orderBy: 'repository, ref',
  },
  {
    table: 'poll_state',
    columns: [
      text('repository'),
      bigint('last_poll_at'),
      bigint('last_success_at'),
      text('last_error_code'),
      text('last_error_message'),
      integer('consecutive_failures'),
      bigint('next_poll_at'),
      text('last_via'),
      boolean('branches_baselined'),
      boolean('tags_baselined'),
      boolean('pulls_baselined'),
      bigint('pulls_listed_at'),
      bigint('active_at'),
    ],
    orderBy: 'repository',
  },
  {
    table: 'http_cache',
    columns: [
      text('repository'),
      text('endpoint'),
      text('etag'),
      text('body'),
      bigint('updated_at'),
    ],
    orderBy: 'repository, endpoint',
  },
  {
    table: 'discovery_lists',
    columns: [
      text('entry'),
      text('source_key'),
      text('repositories', { into: 'r.repositories::jsonb' }),
      bigint('read_at'),
      text('failure_code'),
      text('failure_message'),
      bigint('failed_at'),
      integer('failures'),
      integer('generation'),
    ],
    orderBy: 'entry',
  },
  {
    table: 'events',
    columns: [
      bigint('seq'),
      text('id'),
      text('repository'),
      text('repository_url'),
      text('provider'),
      text('ref'),
      text('type'),
      text('before_sha'),
      text('after_sha'),
      integer('transition_number'),
      bigint('detected_at'),
      text('pull_request', { into: 'r.pull_request::jsonb' }),
    ],
    orderBy: 'seq',
    identity: 'seq',
  },
  {
    table: 'deliveries',
    columns: [
      bigint('id'),
      text('event_id'),
      text('repository'),
      text('ref'),
      text('target_url'),
      text('format'),
      text('status', { from: `CASE status WHEN 'in_flight' THEN 'pending' ELSE status END` }),
      integer('attempts'),
      integer('round_base_attempts'),
      bigint('next_attempt_at'),
      integer('last_status_code'),
      text('last_error'),
      text('body'),
      // Kept as the exact text SQLite holds: json (not jsonb) stores it byte for byte.
      text('headers', { into: 'r.headers::json' }),
      bigint('created_at'),
      bigint('queued_at'),
      bigint('updated_at'),
      bigint('delivered_at'),
    ],
    orderBy: 'id',
    identity: 'id',
  },
  {
    table: 'delivery_attempts',
    columns: [
      bigint('id'),
      bigint('delivery_id'),
      integer('attempt'),
      bigint('started_at'),
      integer('status_code'),
      bigint('latency_ms'),
      text('error'),
    ],
    orderBy: 'id',
    identity: 'id',
  },
];

/** The columns copied of each table (a test holds them to both schemas). */
export function copiedColumns(): Record<CopiedTable, string[]> {
  return Object.fromEntries(
    COPIES.map((copy) => [copy.table, copy.columns.map((c) => c.name)]),
  ) as Record<CopiedTable, string[]>;
}
