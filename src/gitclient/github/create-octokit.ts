import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/core';
import type { Logger } from '../../logging/create-logger.js';

/**
 * Octokit's core (the client only calls `octokit.request`) with the retry and throttling plugins:
 * an immutable class, not state. `@octokit/rest` would add a method per REST endpoint to every
 * instance and a request logger that reports every 304 as an error.
 */
const PluggedOctokit = Octokit.plugin(retry, throttling);
export type GithubOctokit = InstanceType<typeof PluggedOctokit>;

export interface CreateOctokitOptions {
  readonly baseUrl: string;
  readonly token?: string;
  /** Throttle id: the plugin's limiters are process-wide, so each (host, token) needs its own. */
  readonly throttleId: string;
  /** Retries of a failed request (5xx, network): polling.retry_attempts. */
  readonly retries: number;
  /** First retry delay (then x4, x9, ...): polling.retry_backoff. */
  readonly retryBackoffMs: number;
  readonly userAgent: string;
  readonly log: Logger;
}

/**
 * Statuses never retried by plugin-retry: client errors, and 429/403 rate limits, which the
 * client's RequestGate waits out (abortably, within the poll's budget) instead.
 */
const DO_NOT_RETRY = [304, 400, 401, 403, 404, 410, 422, 429, 451];

export function createOctokit(options: CreateOctokitOptions): GithubOctokit {
  const { log } = options;
  return new PluggedOctokit({
    ...(options.token ? { auth: options.token } : {}),
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    retry: {
      // Off when there is nothing to retry (the default: with the API fallback on, a failed
      // request goes to ls-remote instead), which spares every request the plugin's limiter.
      enabled: options.retries > 0,
      retries: options.retries,
      doNotRetry: DO_NOT_RETRY,
      retryAfterBaseValue: options.retryBackoffMs,
    },
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
