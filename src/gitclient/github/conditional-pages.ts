import type { ReposentryError } from '../../errors/reposentry-error.js';
import type { HttpCache, HttpCacheEntry } from '../http-cache.js';
import type { GithubAnswer } from './github-answer.js';

/** How one GitHub list is read page by page, each page by a conditional request. */
export interface ConditionalPages<T> {
  readonly cache: HttpCache;
  /** The HttpCache's first key (a repository's name, or a discovery key). */
  readonly cacheKey: string;
  readonly perPage: number;
  readonly maxPages: number;
  /** The HttpCache's key of page `page` (the full request URL). */
  endpoint(page: number): string;
  /** GETs page `page`, with If-None-Match when `etag` is given. */
  fetch(page: number, etag: string | undefined): Promise<GithubAnswer>;
  /** The page's entries, or what is wrong with the answer. */
  parse(data: unknown): T[] | string;
  encode(etag: string, page: { items: readonly T[]; next: boolean }): HttpCacheEntry;
  decode(
    entry: HttpCacheEntry | undefined,
  ): { etag: string; items: readonly T[]; next: boolean } | undefined;
  bad(what: string): ReposentryError;
}

/**
 * Every page of a list, addressed by number (stable cache keys, each with its own ETag): a 304
 * rebuilds the page from the cache, so an unchanged list is all 304s and costs no primary quota.
 * `unchanged` is true when every page answered 304.
 */
export async function readConditionalPages<T>(
  pages: ConditionalPages<T>,
): Promise<{ items: T[]; unchanged: boolean }> {
  const items: T[] = [];
  let unchanged = true;
  for (let page = 1; page <= pages.maxPages; page += 1) {
    const endpoint = pages.endpoint(page);
    const cached = pages.decode(await pages.cache.get(pages.cacheKey, endpoint));
    const answer = await pages.fetch(page, cached?.etag);
    let next: boolean;
    if (answer.status === 304) {
      if (cached === undefined) throw pages.bad('304 without a cached page');
      items.push(...cached.items);
      // The page is the same, but what follows it may not be: a full page may have gained a
      // next one (an entry added that sorts after it), which only asking for it can tell.
      next = cached.next || cached.items.length >= pages.perPage;
    } else {
      const parsed = pages.parse(answer.data);
      if (typeof parsed === 'string') throw pages.bad(parsed);
      next = /\brel="next"/.test(answer.link ?? '');
      items.push(...parsed);
      unchanged = false;
      if (answer.etag) {
        await pages.cache.set(
          pages.cacheKey,
          endpoint,
          pages.encode(answer.etag, { items: parsed, next }),
        );
      }
    }
    if (!next) return { items, unchanged };
  }
  throw pages.bad(`more than ${pages.maxPages} pages`);
}

/** Parses every entry of an array answer with `parse`; the problem text when one fails. */
export function parseEntries<T>(
  data: unknown,
  parse: (item: unknown) => T | undefined,
  what: string,
): T[] | string {
  if (!Array.isArray(data)) return `malformed ${what} page`;
  const items: T[] = [];
  for (const item of data as unknown[]) {
    const parsed = parse(item);
    if (parsed === undefined) return `malformed ${what}`;
    items.push(parsed);
  }
  return items;
}
