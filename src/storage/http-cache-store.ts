import type { HttpCacheEntry } from './http-cache-entry.js';
import { SqlStore } from './sql-store.js';

export type { HttpCacheEntry } from './http-cache-entry.js';

/**
 * The http_cache table: the last ETag and body per (repository, endpoint), so conditional GitHub
 * requests keep costing no quota across restarts. The GitHub client sends `If-None-Match` with
 * `etag` and reuses `body` on a 304.
 */
export class HttpCacheStore extends SqlStore {
  get(repository: string, endpoint: string): HttpCacheEntry | undefined {
    return this.guard(() =>
      this.prepare<[string, string], HttpCacheEntry>(
        'SELECT etag, body FROM http_cache WHERE repository = ? AND endpoint = ?',
      ).get(repository, endpoint),
    );
  }

  set(repository: string, endpoint: string, entry: HttpCacheEntry): void {
    this.guard(() =>
      this.prepare(
        `INSERT INTO http_cache (repository, endpoint, etag, body, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (repository, endpoint) DO UPDATE SET etag = excluded.etag,
             body = excluded.body, updated_at = excluded.updated_at`,
      ).run(repository, endpoint, entry.etag, entry.body, this.now()),
    );
  }

  /** Drops every cached response of a repository (e.g. its token or URL changed). */
  clear(repository: string): void {
    this.guard(() => this.prepare('DELETE FROM http_cache WHERE repository = ?').run(repository));
  }
}
