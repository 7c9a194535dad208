import {
  repositoryColumns,
  type RepositoryRecord,
  type RepositorySync,
  type TrackResult,
} from './repository-record.js';
import { SqlStore } from './sql-store.js';
import type { EpochMs, RepositoryIdentity } from './storage-types.js';

export type { RepositoryRecord, RepositorySync, TrackResult } from './repository-record.js';

const COLUMNS = repositoryColumns('repositories');

/**
 * The repositories table: the repositories being watched, keyed by name. A row is what makes a
 * poll's result recordable: a repository that left the config, or whose url changed, has no
 * current row, so a poll of it still in flight records nothing (see `PollRecorder`). Its ref
 * transition counts (ref_transitions) and its events stay; everything else is forgotten, so when
 * it comes back its first poll is a baseline again.
 */
export class RepositoryStore extends SqlStore {
  /**
   * Starts or keeps watching a repository. At another url or provider than recorded, its state
   * is forgotten first: another repository under the same name is a new one.
   */
  track(repository: RepositoryIdentity, at: EpochMs = this.now()): TrackResult {
    return this.atomically(() => {
      const known = this.get(repository.name);
      if (known === undefined) {
        this.prepare(
          `INSERT INTO repositories (name, provider, url, first_seen_at, last_seen_in_config_at)
             VALUES (@name, @provider, @url, @at, @at)`,
        ).run({ ...identity(repository), at });
        return 'added';
      }
      const repointed = known.url !== repository.url || known.provider !== repository.provider;
      if (repointed) this.forgetState(repository.name);
      this.prepare(
        `UPDATE repositories SET provider = @provider, url = @url, last_seen_in_config_at = @at,
           first_seen_at = CASE WHEN @repointed = 1 THEN @at ELSE first_seen_at END
         WHERE name = @name`,
      ).run({ ...identity(repository), at, repointed: repointed ? 1 : 0 });
      return repointed ? 'repointed' : 'kept';
    });
  }

  /**
   * Makes the watched set exactly `repositories`, in one transaction: each is tracked, every other
   * stored repository is removed.
   */
  syncFromConfig(
    repositories: readonly RepositoryIdentity[],
    at: EpochMs = this.now(),
  ): RepositorySync {
    return this.atomically(() => {
      const added: string[] = [];
      const repointed: string[] = [];
      for (const repository of repositories) {
        const result = this.track(repository, at);
        if (result === 'added') added.push(repository.name);
        else if (result === 'repointed') repointed.push(repository.name);
      }
      const watched = new Set(repositories.map((repository) => repository.name));
      const removed = this.list()
        .map((record) => record.name)
        .filter((name) => !watched.has(name));
      for (const name of removed) this.remove(name);
      return { added, repointed, removed };
    });
  }

  /** Whether this repository, at this url and provider, is being watched. */
  isCurrent(repository: RepositoryIdentity): boolean {
    const known = this.get(repository.name);
    return known?.url === repository.url && known.provider === repository.provider;
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
   * Stops watching a repository: its row, ref state, poll state and HTTP cache go. Its events,
   * deliveries and ref transition counts stay. Returns false when it was unknown.
   */
  remove(name: string): boolean {
    return this.atomically(() => {
      this.prepare('DELETE FROM http_cache WHERE repository = ?').run(name);
      return this.prepare('DELETE FROM repositories WHERE name = ?').run(name).changes > 0;
    });
  }

  private forgetState(name: string): void {
    this.prepare('DELETE FROM ref_state WHERE repository = ?').run(name);
    this.prepare('DELETE FROM poll_state WHERE repository = ?').run(name);
    this.prepare('DELETE FROM http_cache WHERE repository = ?').run(name);
  }
}

function identity(repository: RepositoryIdentity): RepositoryIdentity {
  return { name: repository.name, provider: repository.provider, url: repository.url };
}
