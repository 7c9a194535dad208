import type { HttpCacheEntry } from '../http-cache.js';
import { parseCount, parseResetTime } from '../parse-reset-time.js';
import type { QuotaUpdate } from '../quota-tracker.js';

/** One page of a branch or tag listing, as kept in the HttpCache: names and commit shas. */
export interface RefPage {
  readonly refs: readonly (readonly [string, string])[];
  /** Whether the forge announced a next page. */
  readonly next: boolean;
}

/** Cache body format: `{"v":1,"next":bool,"refs":[[name, sha], ...]}`. */
export function encodePage(etag: string, page: RefPage): HttpCacheEntry {
  return { etag, body: JSON.stringify({ v: 1, next: page.next, refs: page.refs }) };
}

/** The cached page, or undefined when absent or unreadable (then no If-None-Match is sent). */
export function decodePage(
  entry: HttpCacheEntry | undefined,
): { etag: string; page: { refs: [string, string][]; next: boolean } } | undefined {
  if (entry === undefined || entry.etag === '') return undefined;
  try {
    const parsed = JSON.parse(entry.body) as { v?: unknown; next?: unknown; refs?: unknown };
    if (parsed.v !== 1 || typeof parsed.next !== 'boolean' || !Array.isArray(parsed.refs)) {
      return undefined;
    }
    const refs: [string, string][] = [];
    for (const item of parsed.refs as unknown[]) {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') {
        return undefined;
      }
      refs.push([item[0], item[1]]);
    }
    return { etag: entry.etag, page: { refs, next: parsed.next } };
  } catch {
    return undefined;
  }
}

/**
 * Reads `[{name, commit: {sha}}]`, the shape shared by GET /repos/{o}/{r}/branches and /tags
 * (for tags `commit.sha` is already the peeled commit). Undefined when the body is not that.
 */
export function parseRefPage(data: unknown): [string, string][] | undefined {
  if (!Array.isArray(data)) return undefined;
  const refs: [string, string][] = [];
  for (const item of data as unknown[]) {
    const { name, commit } = (item ?? {}) as { name?: unknown; commit?: { sha?: unknown } };
    if (typeof name !== 'string' || typeof commit?.sha !== 'string') return undefined;
    refs.push([name, commit.sha]);
  }
  return refs;
}

/** The core quota headers of a response (other resources, e.g. search, are ignored). */
export function readGithubQuota(headers: Pick<Headers, 'get'>): QuotaUpdate | undefined {
  const resource = headers.get('x-ratelimit-resource');
  if (resource !== null && resource !== 'core') return undefined;
  const limit = parseCount(headers.get('x-ratelimit-limit'));
  const remaining = parseCount(headers.get('x-ratelimit-remaining'));
  const resetAt = parseResetTime(headers.get('x-ratelimit-reset'));
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  return {
    ...(limit === undefined ? {} : { limit }),
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetAt === undefined ? {} : { resetAt }),
  };
}

/** A 403/429 saying "slow down" (exhausted quota or secondary limit): costs no quota. */
export function isRateLimitRejection(response: {
  readonly status: number;
  readonly headers: Pick<Headers, 'get'>;
}): boolean {
  if (response.status !== 403 && response.status !== 429) return false;
  return (
    response.headers.get('x-ratelimit-remaining') === '0' ||
    response.headers.get('retry-after') !== null
  );
}
