import type { TrackResult } from '../repository-record.js';
import type { RepositoryIdentity } from '../storage-types.js';

/** A stored repository row that is updated: its new identity, and whether it starts over. */
export interface RepositoryUpdate extends RepositoryIdentity {
  /** Repointed at least once: `first_seen_at` becomes the sync's time. */
  readonly resetFirstSeen: boolean;
}

/** What tracking a list of repositories, one after another, does to the stored ones. */
export interface RepositorySyncPlan {
  /** Per input repository, in input order. */
  readonly results: readonly TrackResult[];
  /** Rows to insert (names not stored before), each in its last listed identity. */
  readonly inserts: readonly RepositoryIdentity[];
  /** Stored rows to update, each to its last listed identity. */
  readonly updates: readonly RepositoryUpdate[];
  /** Names whose ref state, poll state and HTTP cache are forgotten (repointed at least once). */
  readonly forget: readonly string[];
}

/**
 * The outcome of `track(repository)` for each of `repositories` in turn, as if one ran after the
 * other (a name listed twice is tracked twice), computed at once so it can be written with a few
 * set-based statements. `known` is what is stored, by name.
 */
export function planRepositorySync(
  known: ReadonlyMap<string, RepositoryIdentity>,
  repositories: readonly RepositoryIdentity[],
): RepositorySyncPlan {
  const current = new Map<string, RepositoryIdentity>();
  const reset = new Set<string>();
  const results: TrackResult[] = [];
  for (const { name, provider, url } of repositories) {
    const before = current.get(name) ?? known.get(name);
    current.set(name, { name, provider, url });
    if (before === undefined) {
      results.push('added');
    } else if (before.url !== url || before.provider !== provider) {
      reset.add(name);
      results.push('repointed');
    } else {
      results.push('kept');
    }
  }
  const inserts: RepositoryIdentity[] = [];
  const updates: RepositoryUpdate[] = [];
  for (const [name, identity] of current) {
    if (known.has(name)) updates.push({ ...identity, resetFirstSeen: reset.has(name) });
    else inserts.push(identity);
  }
  return { results, inserts, updates, forget: [...reset] };
}
