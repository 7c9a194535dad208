import { RateLimitError, ReposentryError } from '../../errors/reposentry-error.js';
import { parseResetTime, retryAfterDate } from '../parse-reset-time.js';

export interface GitlabErrorContext {
  readonly repo: string;
  readonly apiHost: string;
  readonly now?: number;
  /** What the request was for, in messages (default `repository <repo>`), e.g. `group acme`. */
  readonly subject?: string;
}

/** A non-2xx answer as the requester saw it. */
export interface GitlabHttpFailure {
  readonly status: number;
  readonly headers: Headers;
}

/**
 * Translates a GitLab failure (an HTTP answer, a fetch error, or anything gitbeaker throws) into
 * a ReposentryError. Messages carry repository, host and status only; the SDK error is dropped.
 */
export function mapGitlabError(err: unknown, context: GitlabErrorContext): ReposentryError {
  if (err instanceof ReposentryError) return err;
  const where = gitlabWhere(context);
  const failure = asFailure(err);
  if (failure === undefined) {
    return new ReposentryError('forge-unavailable', `${where} could not be reached`, {
      retryable: true,
    });
  }
  const { status, headers } = failure;
  const now = context.now ?? Date.now();
  if (status === 429) {
    // An exhausted quota names its absolute reset; otherwise Retry-After says how long to wait.
    const retryAfter = retryAfterDate(headers.get('retry-after'), now);
    const quotaReset = gitlabResetTime(headers, now);
    const resetAt =
      (headers.get('ratelimit-remaining') === '0'
        ? (quotaReset ?? retryAfter)
        : (retryAfter ?? quotaReset)) ?? new Date(now + 60_000);
    return new RateLimitError(`${where} is rate limited (429)`, resetAt);
  }
  if (status === 401 || status === 403) {
    return new ReposentryError(
      'forge-unauthorized',
      `${where} rejected the credentials (${status})`,
    );
  }
  if (status === 404 || status === 410) {
    const what = context.subject === undefined ? 'project not found' : 'not found';
    return new ReposentryError('forge-not-found', `${where}: ${what} (${status})`);
  }
  if (status >= 500 || status === 408) {
    return new ReposentryError('forge-unavailable', `${where} failed (${status})`, {
      retryable: true,
    });
  }
  return new ReposentryError('forge-bad-response', `${where} answered an unexpected ${status}`);
}

/** `GitLab API <host> for <subject>`, the start of every message about a request. */
export function gitlabWhere(context: GitlabErrorContext): string {
  return `GitLab API ${context.apiHost} for ${context.subject ?? `repository ${context.repo}`}`;
}

/** `RateLimit-Reset` (epoch seconds or an HTTP date), else `RateLimit-ResetTime` (HTTP date). */
export function gitlabResetTime(headers: Headers, now: number = Date.now()): Date | undefined {
  return (
    parseResetTime(headers.get('ratelimit-reset'), now) ??
    parseResetTime(headers.get('ratelimit-resettime'), now)
  );
}

function asFailure(err: unknown): GitlabHttpFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const direct = err as { status?: unknown; headers?: unknown };
  if (typeof direct.status === 'number' && direct.headers instanceof Headers) {
    return { status: direct.status, headers: direct.headers };
  }
  // gitbeaker's own requester puts the Response in `cause.response`.
  const response = (err as { cause?: { response?: unknown } }).cause?.response;
  if (response instanceof Response) return { status: response.status, headers: response.headers };
  return undefined;
}
