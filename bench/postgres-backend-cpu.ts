/**
 * CPU time of the PostgreSQL backends serving one database: the processes of the daemon's
 * pooled connections (found in pg_stat_activity, read from /proc/<pid>/stat like the daemon's).
 * On SQLite the database's work is inside the daemon's own CPU time; on PostgreSQL it is not, so
 * the resources figures add this. The server's shared processes (WAL writer, checkpointer,
 * background writer) work for every database on it and are not counted.
 */
import pg from 'pg';
import { readProcess } from './daemon-child.js';

export interface BackendCpu {
  /**
   * CPU seconds of every backend seen serving the database so far (each at its last reading; a
   * backend that ended between two readings loses the CPU it used since the earlier one).
   */
  read(): Promise<number>;
  close(): Promise<void>;
}

/** Watches the backends of `database` through a connection to the server's `serverUrl`. */
export function watchBackendCpu(serverUrl: string, database: string): BackendCpu {
  const seen = new Map<number, number>();
  let client: pg.Client | undefined;
  const connect = async (): Promise<pg.Client> => {
    if (client) return client;
    const next = new pg.Client({ connectionString: serverUrl });
    // A connection lost between readings: the next reading opens another.
    next.on('error', () => {
      if (client === next) client = undefined;
    });
    await next.connect();
    client = next;
    return next;
  };
  return {
    async read() {
      const db = await connect();
      const { rows } = await db.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
        [database],
      );
      for (const { pid } of rows) {
        try {
          seen.set(pid, readProcess(pid).cpuSeconds);
        } catch {
          // ended since the query: its last reading stands
        }
      }
      let total = 0;
      for (const seconds of seen.values()) total += seconds;
      return total;
    },
    async close() {
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
