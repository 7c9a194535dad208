import type { Config, RepositoryConfig } from '../config/config-types.js';
import { ReadThroughHttpCache, type HttpCache } from '../gitclient/index.js';
import { RequestOpener } from '../http/open-request.js';
import type { Logger } from '../logging/create-logger.js';
import type { PollReport } from '../poller/poll-report.js';
import { pollRepository, type PollRepositoryDeps } from '../poller/poll-repository.js';
import type { PollCause, PollOutcome } from '../poller/scheduler.js';
import type { Storage } from '../storage/storage.js';
import { GitClientHolder } from './git-client-holder.js';

export interface PollerOptions {
  /** The running config snapshot, read at each poll (a reload replaces it). */
  readonly config: () => Config;
  readonly storage: PollRepositoryDeps['storage'] & Pick<Storage, 'httpCache'>;
  /**
   * false: a dry run. Compares with the stored state and writes nothing: no ref state, event or
   * delivery, and ETags are read from the stored HTTP cache but new ones kept in memory.
   */
  readonly record: boolean;
  /** Environment git children start from (credentials are added to it, never to argv). */
  readonly gitEnv: NodeJS.ProcessEnv;
  readonly log: { readonly poller: Logger; readonly gitclient: Logger };
  /** After a poll recorded new events (wakes the delivery worker). */
  readonly onRecorded?: () => void;
  readonly onReport?: (report: PollReport) => void;
}

export interface Poller {
  /** The git clients of the running config (rate limits for the API and the metrics). */
  readonly gitClients: GitClientHolder;
  /** One poll of one repository; never throws. */
  pollOne(
    repo: RepositoryConfig,
    signal: AbortSignal,
    cause?: PollCause,
  ): Promise<{ outcome: PollOutcome; report: PollReport }>;
  /** A reload: rebuilds the git clients when what they are built from changed. */
  applyConfig(config: Config): void;
  /** Closes the GitHub API connections; call it once no poll runs any more. */
  close(): void;
}

/**
 * How a poll is wired, for the daemon and `poll --once`: git clients built from the config
 * (GitHub on its own pool of kept-alive connections), the HTTP cache in storage, git's
 * environment and one git version probe, and pollRepository's dependencies.
 */
export function buildPoller(options: PollerOptions): Poller {
  const githubOpener = new RequestOpener();
  const stored = storedHttpCache(options.storage);
  const gitClients = new GitClientHolder(options.config(), {
    log: options.log.gitclient,
    httpCache: options.record ? stored : new ReadThroughHttpCache(stored),
    gitEnv: options.gitEnv,
    githubOpener,
  });
  const deps: PollRepositoryDeps = {
    storage: options.storage,
    gitClient: () => gitClients.current,
    config: options.config,
    log: options.log.poller,
    record: options.record,
    ...(options.onRecorded ? { onRecorded: options.onRecorded } : {}),
    ...(options.onReport ? { onReport: options.onReport } : {}),
  };
  return {
    gitClients,
    pollOne: (repo, signal, cause) => pollRepository(repo, signal, deps, cause),
    applyConfig: (config) => gitClients.applyConfig(config),
    close: () => githubOpener.close(),
  };
}

/** The stored HTTP cache, looked up at each use: the components are built before storage opens. */
function storedHttpCache(storage: Pick<Storage, 'httpCache'>): HttpCache {
  return {
    get: (repository, endpoint) => storage.httpCache.get(repository, endpoint),
    set: (repository, endpoint, entry) => storage.httpCache.set(repository, endpoint, entry),
    clear: (repository) => storage.httpCache.clear(repository),
  };
}
