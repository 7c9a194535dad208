import type { Provider } from '../../config/config-types.js';
import type { EventFacts } from './event-facts.js';
import type { RepositoryCoordinates } from './repository-coordinates.js';

/**
 * Web links a push payload carries, in the URL layout of the forge that hosts the repository.
 * Plain git remotes have no web UI, so their links are empty strings rather than guesses.
 */
export interface ForgeLinks {
  commit(sha: string): string;
  /** The compare page of this change (GitHub style for new refs: `/compare/<name>`). */
  readonly compare: string;
}

/** The web page of a commit of `repository`, or `''` where the forge has none. */
export function commitLinkOf(
  provider: Provider,
  repository: RepositoryCoordinates,
): (sha: string) => string {
  const web = repository.webUrl;
  if (provider === 'github' && repository.hasWebUrl) return (sha) => `${web}/commit/${sha}`;
  if (provider === 'gitlab' && repository.hasWebUrl) return (sha) => `${web}/-/commit/${sha}`;
  return () => '';
}

export function forgeLinksOf(provider: Provider, facts: EventFacts): ForgeLinks {
  const web = facts.repository.webUrl;
  const commit = commitLinkOf(provider, facts.repository);
  if (provider === 'github' && facts.repository.hasWebUrl) {
    return {
      commit,
      compare: facts.created
        ? `${web}/compare/${facts.refName}`
        : `${web}/compare/${facts.before.slice(0, 12)}...${facts.after.slice(0, 12)}`,
    };
  }
  if (provider === 'gitlab' && facts.repository.hasWebUrl) {
    return { commit, compare: `${web}/-/compare/${facts.before}...${facts.after}` };
  }
  return { commit, compare: '' };
}
