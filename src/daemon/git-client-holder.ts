import type { Config } from '../config/config-types.js';
import {
  GitVersionProbe,
  createGitClients,
  type GitClientSet,
  type HttpCache,
} from '../gitclient/index.js';
import type { RequestOpener } from '../http/open-request.js';
import type { Logger } from '../logging/create-logger.js';
import { VERSION } from '../version.js';

/**
 * The git clients of the running config. They are rebuilt only when a reload changes what they
 * are built from (polling and rate-limit settings), so token buckets and quota views survive
 * reloads that only add or change repositories.
 */
export class GitClientHolder {
  private clients: GitClientSet;
  private builtFrom: string;
  /** git's version, asked once for the process (credentials need 2.31), kept across rebuilds. */
  private readonly gitVersion: GitVersionProbe;

  constructor(
    config: Config,
    private readonly deps: {
      log: Logger;
      httpCache: HttpCache;
      gitEnv?: NodeJS.ProcessEnv;
      /** Kept across rebuilds, closed by whoever created it. */
      githubOpener?: RequestOpener;
    },
  ) {
    this.gitVersion = new GitVersionProbe({
      log: deps.log,
      ...(deps.gitEnv ? { env: deps.gitEnv } : {}),
    });
    this.builtFrom = keyOf(config);
    this.clients = this.build(config);
  }

  get current(): GitClientSet {
    return this.clients;
  }

  applyConfig(config: Config): void {
    const key = keyOf(config);
    if (key === this.builtFrom) return;
    this.builtFrom = key;
    this.clients = this.build(config);
  }

  private build(config: Config): GitClientSet {
    return createGitClients({
      config,
      log: this.deps.log,
      httpCache: this.deps.httpCache,
      gitVersion: this.gitVersion,
      userAgent: `RepoSentry/${VERSION}`,
      ...(this.deps.gitEnv ? { gitEnv: this.deps.gitEnv } : {}),
      ...(this.deps.githubOpener ? { githubOpener: this.deps.githubOpener } : {}),
    });
  }
}

function keyOf(config: Config): string {
  return JSON.stringify([config.polling, config.rateLimit]);
}
