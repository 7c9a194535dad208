import type { HttpCacheEntry } from '../http-cache-entry.js';
import type { EpochMs } from '../storage-types.js';
import type { PgDatabase } from './pg-database.js';

/** The http_cache table: the last ETag and body per (repository, endpoint). */
export class PgHttpCacheStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => EpochMs,
  ) {}

  get(repository: string, endpoint: string): Promise<HttpCacheEntry | undefined> {
    return this.db.first<HttpCacheEntry>(
      'SELECT etag, body FROM http_cache WHERE repository = $1 AND endpoint = $2',
      [repository, endpoint],
    );
  }

  async set(repository: string, endpoint: string, entry: HttpCacheEntry): Promise<void> {
    await this.db.run(
      `INSERT INTO http_cache (repository, endpoint, etag, body, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (repository, endpoint) DO UPDATE SET etag = excluded.etag,
           body = excluded.body, updated_at = excluded.updated_at`,
      [repository, endpoint, entry.etag, entry.body, this.now()],
    );
  }

  /** Drops every cached response of a repository. */
  async clear(repository: string): Promise<void> {
    await this.db.run('DELETE FROM http_cache WHERE repository = $1', [repository]);
  }
}
