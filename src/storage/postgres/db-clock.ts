/**
 * The database server's clock in epoch milliseconds, as SQL. Heartbeats and leases are compared
 * on this one clock, so replicas on hosts whose clocks disagree still agree on who is alive.
 */
export const DB_NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
