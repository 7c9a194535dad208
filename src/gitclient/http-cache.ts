/**
 * Where conditional-request validators live between polls. Storage implements it against SQLite
 * (so ETags survive restarts); `MemoryHttpCache` is the in-process implementation for tests and
 * the demo. `repository` is the configured repository name, `endpoint` the full request URL of one
 * page, and `body` what the client needs to rebuild that page's answer on a 304 (a compact JSON
 * of the page's refs, never the raw response).
 */
export interface HttpCacheEntry {
  readonly etag: string;
  readonly body: string;
}

export interface HttpCache {
  get(repository: string, endpoint: string): Promise<HttpCacheEntry | undefined>;
  set(repository: string, endpoint: string, entry: HttpCacheEntry): Promise<void>;
  /** Forgets every entry of a repository (removed or re-pointed repository). */
  clear(repository: string): Promise<void>;
}

export class MemoryHttpCache implements HttpCache {
  private readonly entries = new Map<string, Map<string, HttpCacheEntry>>();

  get(repository: string, endpoint: string): Promise<HttpCacheEntry | undefined> {
    return Promise.resolve(this.entries.get(repository)?.get(endpoint));
  }

  set(repository: string, endpoint: string, entry: HttpCacheEntry): Promise<void> {
    let forRepo = this.entries.get(repository);
    if (!forRepo) {
      forRepo = new Map();
      this.entries.set(repository, forRepo);
    }
    forRepo.set(endpoint, { etag: entry.etag, body: entry.body });
    return Promise.resolve();
  }

  clear(repository: string): Promise<void> {
    this.entries.delete(repository);
    return Promise.resolve();
  }

  /** Number of entries held for a repository (tests). */
  size(repository: string): number {
    return this.entries.get(repository)?.size ?? 0;
  }
}

/**
 * Reads through to `base` and keeps its own writes in memory: a dry run revalidates with the
 * stored ETags (costing no quota) and leaves the stored cache exactly as it was.
 */
export class ReadThroughHttpCache implements HttpCache {
  private readonly own = new MemoryHttpCache();
  private readonly cleared = new Set<string>();

  constructor(private readonly base: Pick<HttpCache, 'get'>) {}

  async get(repository: string, endpoint: string): Promise<HttpCacheEntry | undefined> {
    const own = await this.own.get(repository, endpoint);
    if (own !== undefined || this.cleared.has(repository)) return own;
    return this.base.get(repository, endpoint);
  }

  set(repository: string, endpoint: string, entry: HttpCacheEntry): Promise<void> {
    return this.own.set(repository, endpoint, entry);
  }

  clear(repository: string): Promise<void> {
    this.cleared.add(repository);
    return this.own.clear(repository);
  }
}
