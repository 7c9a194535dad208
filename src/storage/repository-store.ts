import type { Provider } from '../config/config-types.js';
import { SqlStore } from './sql-store.js';
import type { EpochMs, RepositoryIdentity } from './storage-types.js';

export interface RepositoryRecord {
  readonly name: string;
  readonly provider: Provider;
  readonly url: string;
  readonly firstSeenAt: EpochMs;
  /** The last time a loaded config listed this repository. */
  readonly lastSeenInConfigAt: EpochMs;
}

const COLUMNS = `name, provider, url, first_seen_at AS firstSeenAt,
  last_seen_in_config_at AS lastSeenInConfigAt`;

/** The repositories table: every repository any config ever listed, keyed by name. */
export class RepositoryStore extends SqlStore {
  /** Inserts the repository or refreshes its provider, url and last-seen time. */
  upsert(repository: RepositoryIdentity, at: EpochMs = this.now()): void {
    this.guard(() =>
      this.prepare(
        `INSERT INTO repositories (name, provider, url, first_seen_at, last_seen_in_config_at)
           VALUES (@name, @provider, @url, @at, @at)
           ON CONFLICT (name) DO UPDATE SET provider = excluded.provider, url = excluded.url,
             last_seen_in_config_at = excluded.last_seen_in_config_at`,
      ).run({ name: repository.name, provider: repository.provider, url: repository.url, at }),
    );
  }

  /**
   * Records a loaded config's repositories in one transaction and returns the names stored but
   * no longer configured (their state is kept, so re-adding one resumes where it left off).
   */
  syncFromConfig(repositories: readonly RepositoryIdentity[], at: EpochMs = this.now()): string[] {
    return this.atomically(() => {
      for (const repository of repositories) this.upsert(repository, at);
      const configured = new Set(repositories.map((repository) => repository.name));
      return this.list()
        .map((record) => record.name)
        .filter((name) => !configured.has(name));
    });
  }

  get(name: string): RepositoryRecord | undefined {
    return this.guard(() =>
      this.prepare<[string], RepositoryRecord>(
        `SELECT ${COLUMNS} FROM repositories WHERE name = ?`,
      ).get(name),
    );
  }

  list(): RepositoryRecord[] {
    return this.guard(() =>
      this.prepare<[], RepositoryRecord>(`SELECT ${COLUMNS} FROM repositories ORDER BY name`).all(),
    );
  }

  /**
   * Forgets a repository: its row, ref state, poll state and HTTP cache. Its events and
   * deliveries stay until retention prunes them. Returns false when it was unknown.
   */
  remove(name: string): boolean {
    return this.atomically(() => {
      this.prepare('DELETE FROM http_cache WHERE repository = ?').run(name);
      return this.prepare('DELETE FROM repositories WHERE name = ?').run(name).changes > 0;
    });
  }
}
