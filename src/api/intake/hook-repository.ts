import type { RepositoryConfig } from '../../config/config-types.js';
import { isJsonObject } from '../../lib/json-shape.js';
import { repositoryKeyOf } from '../../lib/repository-key.js';

/**
 * Where a hook says it comes from: the URLs and the path of its repository, as GitHub
 * (`repository.clone_url`, `html_url`, `ssh_url`, `git_url`, `full_name`) and GitLab
 * (`project.git_http_url`, `git_ssh_url`, `web_url`, `path_with_namespace`) put them. Empty when
 * the body names no repository.
 */
export function hookRepositoryKeys(provider: 'github' | 'gitlab', body: unknown): Set<string> {
  const keys = new Set<string>();
  const root = isJsonObject(body) ? body : undefined;
  const named = provider === 'github' ? root?.['repository'] : root?.['project'];
  const source = isJsonObject(named) ? named : undefined;
  if (source === undefined) return keys;
  const fields =
    provider === 'github'
      ? ['clone_url', 'html_url', 'ssh_url', 'git_url', 'url']
      : ['git_http_url', 'git_ssh_url', 'web_url', 'http_url', 'ssh_url'];
  for (const field of fields) {
    const value = source[field];
    const key = typeof value === 'string' ? repositoryKeyOf(value) : undefined;
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

/** The enabled repositories of the config a hook's keys name (usually one). */
export function watchedRepositoriesOf(
  keys: ReadonlySet<string>,
  repositories: readonly RepositoryConfig[],
): RepositoryConfig[] {
  return repositories.filter((repo) => {
    if (!repo.enabled) return false;
    const key = repositoryKeyOf(repo.url);
    return key !== undefined && keys.has(key);
  });
}
