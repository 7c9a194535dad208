import {
  isVisibility,
  readDiscoveredRepository,
  stringList,
  type DiscoveredRepository,
} from '../discovered-repository.js';
import type { HttpCacheEntry } from '../http-cache.js';
import { isJsonObject as isObject, type JsonObject as Json } from '../../lib/json-shape.js';

/**
 * Reader of an entry of GitHub's repository lists (GET /orgs/{org}/repos, /users/{user}/repos):
 * `full_name`, `clone_url`, `html_url`, `default_branch`, `archived`, `fork`, `topics`,
 * `private`, `visibility`. Undefined when the entry is not that shape. GitHub Enterprise
 * Server versions without `topics`, `archived` or `visibility` in the list read as none, false
 * and absent.
 */

export function parseGithubOwnerRepository(data: unknown): DiscoveredRepository | undefined {
  if (!isObject(data)) return undefined;
  const {
    full_name: path,
    clone_url: cloneUrl,
    html_url: webUrl,
    default_branch: defaultBranch,
    archived,
    fork,
    topics,
    visibility,
  } = data;
  const isPrivate = data['private'];
  if (typeof path !== 'string' || !/^[^/]+\/[^/]+$/.test(path)) return undefined;
  if (typeof cloneUrl !== 'string' || typeof webUrl !== 'string') return undefined;
  if (typeof fork !== 'boolean' || typeof isPrivate !== 'boolean') return undefined;
  if (archived !== undefined && typeof archived !== 'boolean') return undefined;
  const topicList = topics === undefined || topics === null ? [] : stringList(topics);
  if (topicList === undefined) return undefined;
  return {
    path,
    cloneUrl,
    webUrl,
    ...(typeof defaultBranch === 'string' && defaultBranch !== '' ? { defaultBranch } : {}),
    archived: archived ?? false,
    fork,
    topics: topicList,
    private: isPrivate,
    ...(isVisibility(visibility) ? { visibility } : {}),
  };
}

/** One page of an owner's repositories, as kept in the HttpCache. */
export interface OwnerPage {
  readonly repositories: readonly DiscoveredRepository[];
  /** Whether GitHub announced a next page. */
  readonly next: boolean;
}

/** Cache body format: `{"v":1,"next":bool,"repos":[DiscoveredRepository, ...]}`. */
export function encodeOwnerPage(etag: string, page: OwnerPage): HttpCacheEntry {
  return { etag, body: JSON.stringify({ v: 1, next: page.next, repos: page.repositories }) };
}

/** The cached page, or undefined when absent or unreadable (then no If-None-Match is sent). */
export function decodeOwnerPage(
  entry: HttpCacheEntry | undefined,
): { etag: string; page: OwnerPage } | undefined {
  if (entry === undefined || entry.etag === '') return undefined;
  try {
    const parsed = JSON.parse(entry.body) as Json;
    if (parsed['v'] !== 1 || typeof parsed['next'] !== 'boolean') return undefined;
    if (!Array.isArray(parsed['repos'])) return undefined;
    const repositories: DiscoveredRepository[] = [];
    for (const item of parsed['repos'] as unknown[]) {
      const repository = readDiscoveredRepository(item);
      if (repository === undefined) return undefined;
      repositories.push(repository);
    }
    return { etag: entry.etag, page: { repositories, next: parsed['next'] } };
  } catch {
    return undefined;
  }
}
