import type { RepositoryConfig } from '../config/config-types.js';
import { refKindOf, shortRefName, type EventType, type RefKind } from '../events/change-event.js';

export interface RefTransition {
  readonly type: EventType;
  readonly ref: string;
  readonly before: string | null;
  readonly after: string | null;
}

export interface DetectInput {
  /** What the last successful poll recorded: every listed ref, matching or not. */
  readonly stored: ReadonlyMap<string, string>;
  /** What the git host lists now. */
  readonly listed: ReadonlyMap<string, string>;
  readonly repository: Pick<RepositoryConfig, 'branchRegex' | 'tagRegex'>;
  /** Whether a baseline of branches (tags) was already recorded for this repository. */
  readonly baselined: Readonly<Record<RefKind, boolean>>;
  readonly triggerOnFirstSeen: boolean;
}

export interface DetectResult {
  readonly upsert: readonly { readonly ref: string; readonly sha: string }[];
  readonly remove: readonly string[];
  readonly transitions: readonly RefTransition[];
}

/**
 * Compares a listing with the recorded state. The state keeps every listed ref, matching or not,
 * so a ref is "created" only when git really gained it: widening a regex makes existing refs
 * match without firing, and a ref that stops matching is simply no longer reported (never
 * "deleted"). The first listing of a kind is a silent baseline unless `triggerOnFirstSeen`.
 * Tags that are no longer watched (no tag_regex) are dropped from the state silently.
 */
export function detectChanges(input: DetectInput): DetectResult {
  const { stored, listed, repository } = input;
  const watchesTags = repository.tagRegex !== undefined;
  const matches = (ref: string, kind: RefKind): boolean => {
    const regex = kind === 'branch' ? repository.branchRegex : repository.tagRegex;
    return regex !== undefined && regex.test(shortRefName(ref));
  };
  const upsert: { ref: string; sha: string }[] = [];
  const remove: string[] = [];
  const transitions: RefTransition[] = [];

  for (const [ref, sha] of listed) {
    const kind = refKindOf(ref);
    if (kind === undefined || (kind === 'tag' && !watchesTags)) continue;
    const before = stored.get(ref);
    if (before === sha) continue;
    upsert.push({ ref, sha });
    if (!matches(ref, kind)) continue;
    if (before !== undefined) {
      transitions.push({ type: `${kind}.updated`, ref, before, after: sha });
    } else if (input.baselined[kind] || input.triggerOnFirstSeen) {
      transitions.push({ type: `${kind}.created`, ref, before: null, after: sha });
    }
  }

  for (const [ref, sha] of stored) {
    if (listed.has(ref)) continue;
    const kind = refKindOf(ref);
    remove.push(ref);
    if (kind === undefined || (kind === 'tag' && !watchesTags)) continue;
    if (input.baselined[kind] && matches(ref, kind)) {
      transitions.push({ type: `${kind}.deleted`, ref, before: sha, after: null });
    }
  }

  transitions.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  return { upsert, remove, transitions };
}
