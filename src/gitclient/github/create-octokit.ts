import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/core';
import type { Logger } from '../../logging/create-logger.js';

/**
 * Octokit's core (the client only calls `octokit.request`) with the throttling plugin: an
 * immutable class, not state. `@octokit/rest` would add a method per REST endpoint to every
 * instance and a request logger that reports every 304 as an error. Retries are the client's
 * (GithubClient.withRetries), so that their waits end when the poll is cancelled.
 */
const PluggedOctokit = Octokit.plugin(throttling);
export type GithubOctokit = InstanceType<typeof PluggedOctokit>;

export interface CreateOctokitOptions {
  readonly baseUrl: string;
  readonly token?: string;
  /** Throttle id: the plugin's limiters are process-wide, so each (host, token) needs its own. */
  readonly throttleId: string;
  readonly userAgent: string;
  readonly log: Logger;
}

export function createOctokit(options: CreateOctokitOptions): GithubOctokit {
  const { log } = options;
  return new PluggedOctokit({
    ...(options.token ? { auth: options.token } : {}),
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    throttle: {
      id: options.throttleId,
      // Rate limits surface as errors and are waited out by the client (see RequestGate).
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
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
