import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../../errors/reposentry-error.js';
import { mapGithubError } from './map-github-error.js';

const context = { repo: 'app', apiHost: 'api.github.com', now: 1_700_000_000_000 };
const failure = (status: number, headers: Record<string, string> = {}, message = '') =>
  Object.assign(new Error(message), { status, response: { headers, data: {} } });

describe('mapGithubError', () => {
  it('maps 403 with an exhausted quota to RateLimitError at x-ratelimit-reset, not an auth error', () => {
    const err = mapGithubError(
      failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000600' }),
      context,
    );
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).resetAt).toEqual(new Date(1_700_000_600_000));
  });

  it('maps a secondary limit to RateLimitError at now + retry-after', () => {
    const err = mapGithubError(
      failure(403, { 'retry-after': '30' }, 'You have exceeded a secondary rate limit'),
      context,
    );
    expect((err as RateLimitError).resetAt).toEqual(new Date(context.now + 30_000));
  });

  it('maps 401 and a plain 403 to forge-unauthorized, 404 to forge-not-found, 5xx to forge-unavailable', () => {
    expect(mapGithubError(failure(401), context).code).toBe('forge-unauthorized');
    expect(mapGithubError(failure(403), context).code).toBe('forge-unauthorized');
    expect(mapGithubError(failure(404), context).code).toBe('forge-not-found');
    expect(mapGithubError(failure(502), context)).toMatchObject({
      code: 'forge-unavailable',
      retryable: true,
    });
    expect(mapGithubError(failure(422), context).code).toBe('forge-bad-response');
  });

  it('maps network errors to forge-unavailable and never quotes the SDK message', () => {
    const err = mapGithubError(new TypeError('fetch failed: token=abc'), context);
    expect(err.code).toBe('forge-unavailable');
    expect(err.message).not.toContain('token=abc');
    expect(err.cause).toBeUndefined();
  });
});
