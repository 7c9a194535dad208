import { ReposentryError, errorCodeOf } from '../../errors/reposentry-error.js';
import { byPath, type DiscoveredRepository } from '../discovered-repository.js';
import type { HttpCache } from '../http-cache.js';
import type { GithubAnswer } from './github-answer.js';
import type { GithubOwnerLocation } from './github-owner-location.js';
import {
  decodeOwnerPage,
  encodeOwnerPage,
  parseGithubOwnerRepository,
} from './github-repository-shapes.js';
import { parseEntries, readConditionalPages } from './conditional-pages.js';

/** Which list names the owner's repositories: an organization's, or a user's. */
export type GithubOwnerKind = 'orgs' | 'users';

export interface GithubOwnerReader {
  readonly location: GithubOwnerLocation;
  readonly cache: HttpCache;
  /** The HttpCache "repository" the pages are kept under (see discoveryCacheKey). */
  readonly cacheKey: string;
  /** The kind that answered last time, per owner (kept by the client across listings). */
  readonly kinds: Map<string, GithubOwnerKind>;
  /** One GET below the API root (If-None-Match when `etag` is given), failures mapped. */
  get(path: string, etag: string | undefined): Promise<GithubAnswer>;
}

const PER_PAGE = 100;
/** 100,000 repositories; more pages than that means a bad answer. */
const MAX_PAGES = 1000;

/**
 * Lists every repository of a GitHub owner: GET /orgs/{owner}/repos (type=all), or, when GitHub
 * knows no such organization (404), GET /users/{owner}/repos (type=owner; public repositories
 * only, as GitHub lists them for a user). The kind that answered is remembered, and guessed from
 * the cache after a restart, so a user costs its 404 once. Pages are read oldest repository
 * first (sort=created, direction=asc): a new repository changes only the last page. Every page
 * is a conditional request whose ETag and compact answer are kept in the HttpCache, so an
 * unchanged owner is all 304s and costs no quota.
 */
export async function readGithubOwnerRepositories(
  reader: GithubOwnerReader,
): Promise<{ repositories: DiscoveredRepository[]; unchanged: boolean }> {
  const { location } = reader;
  const memoryKey = `${location.apiBaseUrl}\n${location.owner.toLowerCase()}`;
  const first = reader.kinds.get(memoryKey) ?? (await cachedKind(reader));
  const order: GithubOwnerKind[] = first === 'users' ? ['users', 'orgs'] : ['orgs', 'users'];
  for (const kind of order) {
    let listed: { repositories: DiscoveredRepository[]; unchanged: boolean } | undefined;
    try {
      listed = await readPages(reader, kind);
    } catch (err) {
      if (errorCodeOf(err) !== 'forge-not-found') throw err;
    }
    if (listed !== undefined) {
      reader.kinds.set(memoryKey, kind);
      return { repositories: byPath(listed.repositories), unchanged: listed.unchanged };
    }
  }
  reader.kinds.delete(memoryKey);
  throw new ReposentryError(
    'forge-not-found',
    `GitHub API ${location.apiHost} knows no organization or user ${location.owner} (404)`,
  );
}

/** `users` when only the user list's first page is cached (a restart after a fallback). */
async function cachedKind(reader: GithubOwnerReader): Promise<GithubOwnerKind> {
  const cached = async (kind: GithubOwnerKind) =>
    (await reader.cache.get(reader.cacheKey, endpoint(reader, kind, 1))) !== undefined;
  return !(await cached('orgs')) && (await cached('users')) ? 'users' : 'orgs';
}

function pagePath(location: GithubOwnerLocation, kind: GithubOwnerKind, page: number): string {
  const type = kind === 'orgs' ? 'all' : 'owner';
  return `/${kind}/${encodeURIComponent(location.owner)}/repos?per_page=${PER_PAGE}&type=${type}&sort=created&direction=asc&page=${page}`;
}

function endpoint(reader: GithubOwnerReader, kind: GithubOwnerKind, page: number): string {
  return reader.location.apiBaseUrl + pagePath(reader.location, kind, page);
}

/** Every page of one list; a 404 on the first page is the caller's to handle. */
async function readPages(
  reader: GithubOwnerReader,
  kind: GithubOwnerKind,
): Promise<{ repositories: DiscoveredRepository[]; unchanged: boolean }> {
  const read = await readConditionalPages<DiscoveredRepository>({
    cache: reader.cache,
    cacheKey: reader.cacheKey,
    perPage: PER_PAGE,
    maxPages: MAX_PAGES,
    endpoint: (page) => endpoint(reader, kind, page),
    fetch: async (page, etag) => {
      try {
        return await reader.get(pagePath(reader.location, kind, page), etag);
      } catch (err) {
        // Only a missing owner is a 404 on the first page; later, the list shrank under us.
        if (page > 1 && errorCodeOf(err) === 'forge-not-found')
          throw badResponse(reader, `page ${page} vanished`);
        throw err;
      }
    },
    parse: (data) => parseEntries(data, parseGithubOwnerRepository, 'repository'),
    encode: (etag, page) => encodeOwnerPage(etag, { repositories: page.items, next: page.next }),
    decode: (entry) => {
      const cached = decodeOwnerPage(entry);
      return (
        cached && { etag: cached.etag, items: cached.page.repositories, next: cached.page.next }
      );
    },
    bad: (what) => badResponse(reader, what),
  });
  return { repositories: read.items, unchanged: read.unchanged };
}

function badResponse(reader: GithubOwnerReader, what: string): ReposentryError {
  const { apiHost, subject } = reader.location;
  return new ReposentryError('forge-bad-response', `GitHub API ${apiHost} for ${subject}: ${what}`);
}
