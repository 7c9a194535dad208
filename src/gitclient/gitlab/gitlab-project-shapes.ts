import { isVisibility, stringList, type DiscoveredRepository } from '../discovered-repository.js';
import { isJsonObject as isObject, type JsonObject as Json } from '../../lib/json-shape.js';

/**
 * Reader of an entry of GitLab's project lists (GET /groups/:id/projects): `path_with_namespace`,
 * `http_url_to_repo`, `web_url`, `default_branch` (null for an empty project), `archived`,
 * `forked_from_project` (present: a fork), `topics` (`tag_list` before GitLab 14.5),
 * `visibility`. Undefined when the entry is not that shape.
 */

export function parseGitlabGroupProject(data: unknown): DiscoveredRepository | undefined {
  if (!isObject(data)) return undefined;
  const {
    path_with_namespace: path,
    http_url_to_repo: cloneUrl,
    web_url: webUrl,
    default_branch: defaultBranch,
    archived,
    forked_from_project: forkedFrom,
    visibility,
  } = data;
  if (typeof path !== 'string' || !path.includes('/')) return undefined;
  if (typeof cloneUrl !== 'string' || typeof webUrl !== 'string') return undefined;
  if (archived !== undefined && typeof archived !== 'boolean') return undefined;
  const topics = topicsOf(data);
  if (topics === undefined) return undefined;
  return {
    path,
    cloneUrl,
    webUrl,
    ...(typeof defaultBranch === 'string' && defaultBranch !== '' ? { defaultBranch } : {}),
    archived: archived ?? false,
    fork: isObject(forkedFrom),
    topics,
    ...(isVisibility(visibility) ? { private: visibility !== 'public', visibility } : {}),
  };
}

/** `topics`, else the older `tag_list`, else none; undefined when present but not strings. */
function topicsOf(data: Json): string[] | undefined {
  for (const key of ['topics', 'tag_list']) {
    const value = data[key];
    if (value !== undefined && value !== null) return stringList(value);
  }
  return [];
}
