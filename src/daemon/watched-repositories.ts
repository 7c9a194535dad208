import type { Config } from '../config/config-types.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import type { Reconfigurable } from '../runtime/component.js';
import type { RepositorySync } from '../storage/repository-store.js';
import type { Storage } from '../storage/storage.js';

/**
 * Keeps the watched repositories in storage equal to the config's enabled ones: at start (a
 * repository removed while the daemon was stopped is forgotten then) and on every applied config,
 * before the scheduler sees it. A repository that leaves, is disabled or gets another url loses
 * its ref state, poll state and HTTP cache, so its next first poll is a baseline, never a burst.
 */
export class WatchedRepositories implements Component, Reconfigurable<Config> {
  readonly name = 'repositories';
  private config: Config;
  private last: RepositorySync | undefined;

  constructor(
    private readonly deps: {
      readonly storage: Pick<Storage, 'repositories'>;
      readonly config: Config;
      readonly log: Logger;
      /**
       * Whether this process keeps the watched set (default: always). Replicas share one set:
       * the leader writes it, at start, when it comes to lead (`syncNow`) and on every reload.
       */
      readonly leads?: () => boolean;
      /** The watched set was written (replicas then rebalance their poll leases). */
      readonly onSynced?: (result: RepositorySync) => void;
    },
  ) {
    this.config = deps.config;
  }

  start(): Promise<void> {
    return this.syncIfLeading();
  }

  /** Writes the watched set now (this process just came to lead). */
  syncNow(): Promise<void> {
    return this.sync(this.config);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  applyConfig(config: Config): Promise<void> {
    this.config = config;
    return this.syncIfLeading();
  }

  health(): ComponentHealth {
    const watched = this.config.repositories.filter((repo) => repo.enabled).length;
    const leads = this.deps.leads?.() ?? true;
    if (!leads) return { status: 'healthy', details: { watched, keptBy: 'the leading replica' } };
    return { status: this.last ? 'healthy' : 'starting', details: { watched } };
  }

  private syncIfLeading(): Promise<void> {
    if (this.deps.leads?.() === false) return Promise.resolve();
    return this.sync(this.config);
  }

  private async sync(config: Config): Promise<void> {
    const watched = config.repositories.filter((repo) => repo.enabled);
    const result = await this.deps.storage.repositories.syncFromConfig(watched);
    this.last = result;
    this.deps.onSynced?.(result);
    const { log } = this.deps;
    for (const repo of result.removed) {
      log.info('Repository no longer watched: its state is forgotten', { repo });
    }
    for (const repo of result.repointed) {
      log.info('Repository url changed: its state is forgotten, the next poll is a baseline', {
        repo,
      });
    }
  }
}
