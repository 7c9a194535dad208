import { pullRequestNumberOf } from '../../events/change-event.js';

/**
 * Parses `git ls-remote` output (`<sha>\t<ref>` lines) into ref -> commit. A peeled line
 * (`refs/tags/v1^{}`) carries the commit an annotated tag points at and replaces the tag object's
 * sha. Only branches and (when asked) tags are kept.
 */
export function parseLsRemote(output: string, includeTags: boolean): Map<string, string> {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([0-9a-f]{40}|[0-9a-f]{64})\t(\S+)$/.exec(line.trim());
    if (!match) continue;
    const [, sha = '', ref = ''] = match;
    const isTag = ref.startsWith('refs/tags/');
    if (!ref.startsWith('refs/heads/') && !(includeTags && isTag)) continue;
    if (ref.endsWith('^{}')) peeled.set(ref.slice(0, -3), sha);
    else refs.set(ref, sha);
  }
  for (const [ref, sha] of peeled) if (refs.has(ref)) refs.set(ref, sha);
  return refs;
}

/** Request number -> head sha of `refs/pull/<n>/head` and `refs/merge-requests/<n>/head` lines. */
export function parsePullRequestRefs(output: string): Map<number, string> {
  const heads = new Map<number, string>();
  for (const line of output.split('\n')) {
    const match = /^([0-9a-f]{40}|[0-9a-f]{64})\t(\S+)$/.exec(line.trim());
    const number = match?.[2] === undefined ? undefined : pullRequestNumberOf(match[2]);
    if (match?.[1] !== undefined && number !== undefined) heads.set(number, match[1]);
  }
  return heads;
}
