import { RateLimitError, ReposentryError } from '../../errors/reposentry-error.js';
import { parseResetTime, retryAfterDate } from '../parse-reset-time.js';

/** What the mapper needs to know about the failed call (names only, never credentials). */
export interface GithubErrorContext {
  readonly repo: string;
  readonly apiHost: string;
  readonly now?: number;
  /** What the request was for, in messages (default `repository <repo>`), e.g. `owner acme`. */
  readonly subject?: string;
}

interface HttpFailure {
  readonly status: number;
  readonly headers: Record<string, string | number | undefined>;
  readonly message: string;
}

/** Default wait for a secondary limit without Retry-After (GitHub documents one minute). */
const SECONDARY_FALLBACK_SECONDS = 60;

/**
 * Translates anything Octokit throws into a ReposentryError. The SDK error is neither kept as
 * `cause` nor quoted: messages are built from the repository name, host and status only.
 */
export function mapGithubError(err: unknown, context: GithubErrorContext): ReposentryError {
  if (err instanceof ReposentryError) return err;
  const where = `GitHub API ${context.apiHost} for ${context.subject ?? `repository ${context.repo}`}`;
  const failure = asHttpFailure(err);
  if (failure === undefined) {
    return new ReposentryError('forge-unavailable', `${where} could not be reached`, {
      retryable: true,
    });
  }
  const { status } = failure;
  const now = context.now ?? Date.now();
  if (status === 403 || status === 429) {
    const limited = rateLimitReset(failure, now);
    if (limited) return new RateLimitError(`${where} is rate limited (${status})`, limited);
  }
  if (status === 401) {
    return new ReposentryError('forge-unauthorized', `${where} rejected the credentials (401)`);
  }
  if (status === 403) {
    return new ReposentryError('forge-unauthorized', `${where} denied access (403)`);
  }
  if (status === 404 || status === 410) {
    const what = context.subject === undefined ? 'repository not found' : 'not found';
    return new ReposentryError('forge-not-found', `${where}: ${what} (${status})`);
  }
  if (status >= 500 || status === 408) {
    return new ReposentryError('forge-unavailable', `${where} failed (${status})`, {
      retryable: true,
    });
  }
  return new ReposentryError('forge-bad-response', `${where} answered an unexpected ${status}`);
}

/** The reset time of a rate-limit rejection, or undefined when the 403/429 is something else. */
function rateLimitReset(failure: HttpFailure, now: number): Date | undefined {
  const header = (name: string): string | undefined => {
    const value = failure.headers[name];
    return value === undefined ? undefined : String(value);
  };
  if (header('x-ratelimit-remaining') === '0') {
    return parseResetTime(header('x-ratelimit-reset'), now) ?? new Date(now + 60_000);
  }
  const retryAfter = retryAfterDate(header('retry-after'), now);
  if (retryAfter) return retryAfter;
  if (/secondary rate limit|abuse/i.test(failure.message) || failure.status === 429) {
    return new Date(now + SECONDARY_FALLBACK_SECONDS * 1000);
  }
  return undefined;
}

function asHttpFailure(err: unknown): HttpFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, response, message } = err as {
    status?: unknown;
    response?: { headers?: unknown };
    message?: unknown;
  };
  if (typeof status !== 'number' || response === undefined) return undefined;
  const headers =
    typeof response.headers === 'object' && response.headers !== null
      ? (response.headers as Record<string, string | number | undefined>)
      : {};
  return { status, headers, message: typeof message === 'string' ? message : '' };
}
