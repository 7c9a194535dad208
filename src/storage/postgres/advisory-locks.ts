/**
 * The advisory locks RepoSentry takes on a PostgreSQL database, as (namespace, key) int4 pairs:
 * `pg_advisory_lock(LOCK_NAMESPACE, key)`. Advisory locks are scoped to one database, so two
 * RepoSentry databases on one server never meet. The namespace spells "RSNT" to keep clear of
 * other applications sharing a database.
 */
export const LOCK_NAMESPACE = 0x52534e54;

export const ADVISORY_LOCK = {
  /** Session lock around a schema migration run: two processes starting together migrate once. */
  migrate: 1,
  /** Session lock of the leading replica, on a connection of its own, while it leads. */
  leader: 2,
  /** Transaction lock of `track` / `syncFromConfig`: one change of the watched set at a time. */
  watchedSet: 3,
  /**
   * Transaction lock of `recordPoll` while it inserts events: events commit in seq order, so a
   * reader following seqs (SSE resume, `listAfter`) never skips one that commits late.
   */
  eventLog: 4,
} as const;
