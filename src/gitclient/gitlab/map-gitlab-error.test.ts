import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../../errors/reposentry-error.js';
import { mapGitlabError } from './map-gitlab-error.js';

const now = Date.UTC(2024, 0, 2, 3, 4, 5);
const context = { repo: 'app', apiHost: 'gitlab.example.com', now };
const failure = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers(headers),
});

describe('mapGitlabError', () => {
  it.each([
    ['epoch seconds', String(Date.UTC(2024, 0, 2, 4, 0, 0) / 1000)],
    ['an HTTP date', 'Tue, 02 Jan 2024 04:00:00 GMT'],
  ])('reads an exhausted quota reset given as %s', (_form, reset) => {
    const err = mapGitlabError(
      failure(429, { 'ratelimit-remaining': '0', 'ratelimit-reset': reset, 'retry-after': '5' }),
      context,
    );
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).resetAt).toEqual(new Date(Date.UTC(2024, 0, 2, 4, 0, 0)));
  });

  it('uses Retry-After when the quota is not exhausted, and RateLimit-ResetTime as a last resort', () => {
    expect(
      (mapGitlabError(failure(429, { 'retry-after': '7' }), context) as RateLimitError).resetAt,
    ).toEqual(new Date(now + 7000));
    expect(
      (
        mapGitlabError(
          failure(429, { 'ratelimit-resettime': 'Tue, 02 Jan 2024 03:10:00 GMT' }),
          context,
        ) as RateLimitError
      ).resetAt,
    ).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 10, 0)));
  });

  it('maps 401/403, 404 and 5xx', () => {
    expect(mapGitlabError(failure(401), context).code).toBe('forge-unauthorized');
    expect(mapGitlabError(failure(403), context).code).toBe('forge-unauthorized');
    expect(mapGitlabError(failure(404), context).code).toBe('forge-not-found');
    expect(mapGitlabError(failure(503), context)).toMatchObject({
      code: 'forge-unavailable',
      retryable: true,
    });
  });
});
