import type { Branches } from '@gitbeaker/rest';
import pRetry from 'p-retry';
import { RateLimitError, ReposentryError } from '../../errors/reposentry-error.js';
import type { CostMeter } from '../cost-meter.js';
import type { PollBudget } from '../poll-budget.js';
import { parseCount } from '../parse-reset-time.js';
import type { QuotaUpdate } from '../quota-tracker.js';
import type { RequestGate } from '../request-gate.js';
import {
  gitlabResetTime,
  gitlabWhere,
  mapGitlabError,
  type GitlabErrorContext,
} from './map-gitlab-error.js';

/** gitbeaker's requester factory type, taken from its own constructor options. */
export type GitlabRequesterFn = NonNullable<
  NonNullable<ConstructorParameters<typeof Branches>[0]>['requesterFn']
>;
type Requester = ReturnType<GitlabRequesterFn>;
type ResourceOptions = Parameters<GitlabRequesterFn>[0];

export interface GitlabRequestContext extends GitlabErrorContext {
  readonly gate: RequestGate;
  readonly budget: PollBudget;
  readonly meter: CostMeter;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly userAgent: string;
}

/**
 * The transport under gitbeaker's resources, for one listing. gitbeaker's default requester
 * retries 429 ten times within a quarter second and ignores Retry-After / RateLimit-Reset, which
 * is hammering; this one admits each request through the RequestGate (RateLimit-* headers,
 * configured requests_per_second/burst), retries 5xx and network errors with p-retry
 * (polling.retry_attempts / retry_backoff), stops on the poll's AbortSignal, counts cost, and
 * turns every failure into a ReposentryError. Only GET is needed to list refs.
 */
export function createGitlabRequester(context: GitlabRequestContext): GitlabRequesterFn {
  return (resourceOptions: ResourceOptions): Requester => {
    const get = async (endpoint: string, options?: { searchParams?: Record<string, unknown> }) => {
      const base = resourceOptions.url.endsWith('/')
        ? resourceOptions.url
        : `${resourceOptions.url}/`;
      const target = new URL(endpoint, base);
      target.search = toQuery(options?.searchParams);
      const headers: Record<string, string> = {
        ...resourceOptions.headers,
        accept: 'application/json',
        'user-agent': context.userAgent,
      };
      for (const [name, value] of Object.entries(resourceOptions.authHeaders)) {
        headers[name] = await value();
      }
      return pRetry(() => once(context, target, headers), {
        retries: context.retries,
        minTimeout: context.retryBackoffMs,
        factor: 2,
        signal: context.budget.signal,
        shouldRetry: ({ error }) =>
          error instanceof ReposentryError &&
          error.retryable &&
          !(error instanceof RateLimitError) &&
          context.budget.remainingMs() > context.retryBackoffMs,
      });
    };
    const unsupported = (): Promise<never> =>
      Promise.reject(new ReposentryError('internal', 'Only GET requests are used for GitLab'));
    // gitbeaker types `get` as generic over the response body; ours returns parsed JSON that
    // the client validates, so the cast only bridges that generic.
    return {
      get,
      post: unsupported,
      put: unsupported,
      patch: unsupported,
      delete: unsupported,
    } as unknown as Requester;
  };
}

async function once(
  context: GitlabRequestContext,
  target: URL,
  headers: Record<string, string>,
): Promise<{ body: unknown; headers: Record<string, string>; status: number }> {
  const { budget, gate, meter } = context;
  await gate.acquire(budget, context.repo);
  const what = gitlabWhere(context);
  meter.requests += 1;
  let response: Response;
  try {
    response = await fetch(target, { headers, signal: budget.signal });
  } catch (err) {
    if (budget.signal.aborted) throw budget.abortError(what, 'forge-unavailable');
    throw mapGitlabError(err, context);
  }
  const quota = readGitlabQuota(response.headers);
  if (quota) gate.quota.update(quota);
  if (response.status !== 429) meter.quotaUnits += 1;
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw mapGitlabError({ status: response.status, headers: response.headers }, context);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    if (budget.signal.aborted) throw budget.abortError(what, 'forge-unavailable');
    throw new ReposentryError('forge-bad-response', `${what} answered something that is not JSON`);
  }
  return { body, headers: Object.fromEntries(response.headers), status: response.status };
}

/** GitLab's `RateLimit-*` headers (sent on throttled paths and by gitlab.com). */
export function readGitlabQuota(headers: Headers): QuotaUpdate | undefined {
  const limit = parseCount(headers.get('ratelimit-limit'));
  const remaining = parseCount(headers.get('ratelimit-remaining'));
  const resetAt = gitlabResetTime(headers);
  if (limit === undefined && remaining === undefined) return undefined;
  return {
    ...(limit === undefined ? {} : { limit }),
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetAt === undefined ? {} : { resetAt }),
  };
}

/** gitbeaker passes camelCase options (`perPage`); the API wants snake_case (`per_page`). */
function toQuery(params: Record<string, unknown> | undefined): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      continue;
    query.set(
      key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      String(value),
    );
  }
  return query.toString();
}
