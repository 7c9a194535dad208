import { byPath, type DiscoveredRepository } from './discovered-repository.js';

/** What a `discovery` entry keeps of an owner's repositories. */
export interface DiscoveryFilter {
  /** Kept only when it matches the path (`owner/repo`, GitLab: with subgroups). */
  readonly include?: RegExp;
  /** Left out when it matches the path. */
  readonly exclude?: RegExp;
  /** Kept only with every one of these topics (compared without regard to case). */
  readonly topics?: readonly string[];
  readonly includeArchived: boolean;
  readonly includeForks: boolean;
}

/** The repositories `filter` keeps, sorted by path (one entry per path). Pure. */
export function filterDiscovered(
  repositories: readonly DiscoveredRepository[],
  filter: DiscoveryFilter,
): DiscoveredRepository[] {
  const wanted = (filter.topics ?? []).map((topic) => topic.toLowerCase());
  return byPath(
    repositories.filter((repository) => {
      if (repository.archived && !filter.includeArchived) return false;
      if (repository.fork && !filter.includeForks) return false;
      if (filter.include && !matches(filter.include, repository.path)) return false;
      if (filter.exclude && matches(filter.exclude, repository.path)) return false;
      const topics = new Set(repository.topics.map((topic) => topic.toLowerCase()));
      return wanted.every((topic) => topics.has(topic));
    }),
  );
}

/** `regex.test` without the state a global or sticky regex keeps between calls. */
function matches(regex: RegExp, text: string): boolean {
  if (regex.global || regex.sticky) regex.lastIndex = 0;
  return regex.test(text);
}
