import type { Provider } from '../../config/config-types.js';
import type { EventFacts } from './event-facts.js';

/**
 * Web links a push payload carries, in the URL layout of the forge that hosts the repository.
 * Plain git remotes have no web UI, so their links are empty strings rather than guesses.
 */
export interface ForgeLinks {
  commit(sha: string): string;
  /** The compare page of this change (GitHub style for new refs: `/compare/<name>`). */
  readonly compare: string;
}

export function forgeLinksOf(provider: Provider, facts: EventFacts): ForgeLinks {
  const web = facts.repository.webUrl;
  if (provider === 'github' && facts.repository.hasWebUrl) {
    return {
      commit: (sha) => `${web}/commit/${sha}`,
      compare: facts.created
        ? `${web}/compare/${facts.refName}`
        : `${web}/compare/${facts.before.slice(0, 12)}...${facts.after.slice(0, 12)}`,
    };
  }
  if (provider === 'gitlab' && facts.repository.hasWebUrl) {
    return {
      commit: (sha) => `${web}/-/commit/${sha}`,
      compare: `${web}/-/compare/${facts.before}...${facts.after}`,
    };
  }
  return { commit: () => '', compare: '' };
}
