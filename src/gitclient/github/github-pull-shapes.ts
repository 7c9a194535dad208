import type { PullRequestFacts } from '../../events/change-event.js';
import type { HttpCacheEntry } from '../http-cache.js';
import {
  isJsonObject as isObject,
  textOf as text,
  type JsonObject as Json,
} from '../../lib/json-shape.js';

/**
 * Reads GitHub's pull request shape (an entry of GET /repos/{o}/{r}/pulls, or GET .../pulls/{n})
 * into the facts RepoSentry records; undefined when the body is not that shape. A head whose
 * repository is gone (a deleted fork) has `head.repo: null`: the head sha is still known.
 */

export function parseGithubPull(data: unknown): PullRequestFacts | undefined {
  if (!isObject(data) || !isObject(data['head']) || !isObject(data['base'])) return undefined;
  const { number, state, title, draft, html_url: url, user, merged_at: mergedAt } = data;
  const head = data['head'];
  const base = data['base'];
  const headSha = text(head['sha']);
  const baseRef = text(base['ref']);
  if (typeof number !== 'number' || !headSha || baseRef === undefined) return undefined;
  if (state !== 'open' && state !== 'closed') return undefined;
  const headRepo = isObject(head['repo']) ? head['repo'] : undefined;
  const baseRepo = isObject(base['repo']) ? base['repo'] : undefined;
  const headName = text(headRepo?.['full_name']);
  const baseName = text(baseRepo?.['full_name']);
  const author = isObject(user) ? text(user['login']) : undefined;
  const headRef = text(head['ref']);
  const cloneUrl = text(headRepo?.['clone_url']);
  const baseSha = text(base['sha']);
  return {
    number,
    state: state === 'open' ? 'open' : typeof mergedAt === 'string' ? 'merged' : 'closed',
    known: 'api',
    ...(typeof title === 'string' ? { title } : {}),
    draft: draft === true,
    ...(typeof url === 'string' ? { url } : {}),
    ...(author ? { author } : {}),
    head: {
      sha: headSha,
      ...(headRef ? { ref: headRef } : {}),
      ...(headName ? { repository: headName } : {}),
      ...(cloneUrl ? { cloneUrl } : {}),
    },
    base: { ref: baseRef, ...(baseSha ? { sha: baseSha } : {}) },
    fork: headName === undefined || baseName === undefined || headName !== baseName,
  };
}

/** Cache body of one page of open pulls: `{"v":1,"next":bool,"pulls":[facts...]}`. */
export function encodePullPage(
  etag: string,
  page: { pulls: readonly PullRequestFacts[]; next: boolean },
): HttpCacheEntry {
  return { etag, body: JSON.stringify({ v: 1, next: page.next, pulls: page.pulls }) };
}

export function decodePullPage(
  entry: HttpCacheEntry | undefined,
): { etag: string; pulls: PullRequestFacts[]; next: boolean } | undefined {
  if (entry === undefined || entry.etag === '') return undefined;
  try {
    const parsed = JSON.parse(entry.body) as Json;
    if (parsed['v'] !== 1 || typeof parsed['next'] !== 'boolean') return undefined;
    if (!Array.isArray(parsed['pulls'])) return undefined;
    return { etag: entry.etag, pulls: parsed['pulls'] as PullRequestFacts[], next: parsed['next'] };
  } catch {
    return undefined;
  }
}
