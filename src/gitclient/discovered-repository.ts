import { isJsonObject as isObject } from '../lib/json-shape.js';
/** Who can see a repository, as the hosts name it (`internal`: GitHub Enterprise, GitLab). */
export const REPOSITORY_VISIBILITIES = ['public', 'internal', 'private'] as const;
export type RepositoryVisibility = (typeof REPOSITORY_VISIBILITIES)[number];

/** One repository of an owner, as the Git host lists it. */
export interface DiscoveredRepository {
  /** `owner/repo` on GitHub; the full path with subgroups on GitLab (`group/sub/project`). */
  readonly path: string;
  /** The https clone URL the host gives (GitHub `clone_url`, GitLab `http_url_to_repo`). */
  readonly cloneUrl: string;
  readonly webUrl: string;
  /** Absent for an empty repository (GitLab answers null). */
  readonly defaultBranch?: string;
  readonly archived: boolean;
  readonly fork: boolean;
  /** As the host gives them (GitHub: lower case). */
  readonly topics: readonly string[];
  /** GitHub's `private`; on GitLab, any visibility but public. */
  readonly private?: boolean;
  readonly visibility?: RepositoryVisibility;
}

export function isVisibility(value: unknown): value is RepositoryVisibility {
  return (REPOSITORY_VISIBILITIES as readonly unknown[]).includes(value);
}

/** A list of strings, or undefined when `value` is not one. */
export function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value as unknown[];
  return list.every((item) => typeof item === 'string') ? list : undefined;
}

/**
 * A DiscoveredRepository from its own JSON (a cached page), or undefined when `value` is not
 * one; unknown keys are dropped.
 */
export function readDiscoveredRepository(value: unknown): DiscoveredRepository | undefined {
  if (!isObject(value)) return undefined;
  const { path, cloneUrl, webUrl, defaultBranch, archived, fork, topics, visibility } = value;
  const isPrivate = value['private'];
  const topicList = stringList(topics);
  if (typeof path !== 'string' || typeof cloneUrl !== 'string' || typeof webUrl !== 'string')
    return undefined;
  if (typeof archived !== 'boolean' || typeof fork !== 'boolean' || topicList === undefined)
    return undefined;
  if (defaultBranch !== undefined && typeof defaultBranch !== 'string') return undefined;
  if (isPrivate !== undefined && typeof isPrivate !== 'boolean') return undefined;
  if (visibility !== undefined && !isVisibility(visibility)) return undefined;
  return {
    path,
    cloneUrl,
    webUrl,
    ...(defaultBranch === undefined ? {} : { defaultBranch }),
    archived,
    fork,
    topics: topicList,
    ...(isPrivate === undefined ? {} : { private: isPrivate }),
    ...(visibility === undefined ? {} : { visibility }),
  };
}

/** Sorted by path (code-unit order, the same on every machine), the last of a path kept. */
export function byPath(repositories: Iterable<DiscoveredRepository>): DiscoveredRepository[] {
  const unique = new Map<string, DiscoveredRepository>();
  for (const repository of repositories) unique.set(repository.path, repository);
  return [...unique.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
