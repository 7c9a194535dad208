import { Octokit } from '@octokit/core';
import type { Logger } from '../../logging/create-logger.js';

/**
 * Octokit's core: the client only calls `octokit.request`. `@octokit/rest` would add a method per
 * REST endpoint to every instance and a request logger that reports every 304 as an error.
 * Neither the retry nor the throttling plugin is used: retries are the client's
 * (GithubClient.withRetries) and rate limits are waited out by its RequestGate, both abortable
 * by the poll's signal. With its own waits switched off, the throttling plugin only queued every
 * request through Bottleneck (about 7 % of the daemon's CPU at 10,000 repositories) and capped
 * requests in flight at 10 whatever `polling.max_workers` said.
 */
export type GithubOctokit = Octokit;

export interface CreateOctokitOptions {
  readonly baseUrl: string;
  readonly token?: string;
  readonly userAgent: string;
  readonly log: Logger;
}

export function createOctokit(options: CreateOctokitOptions): GithubOctokit {
  const { log } = options;
  return new Octokit({
    ...(options.token ? { auth: options.token } : {}),
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    // Failed requests (a 304 included) reach the client as errors, which it maps and the poller
    // logs once with a code; what Octokit itself says about them is detail.
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => log.warn('Octokit warning', { detail: message }),
      error: (message: string) => log.debug('Octokit error', { detail: message }),
    },
  });
}
