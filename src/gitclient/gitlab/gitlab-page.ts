/** One page of a GitLab list (offset pagination). */
export interface GitlabPage<T> {
  readonly items: readonly T[];
  /** The next page's number (X-Next-Page); null on the last page. */
  readonly next: number | null;
}

/**
 * Reads gitbeaker's expanded answer of one page, `{data: [...], paginationInfo: {next}}`, each
 * entry through `readItem`. Undefined when the answer, or any entry, is not what was asked for.
 */
export function readGitlabPage<T>(
  answer: unknown,
  readItem: (item: unknown) => T | undefined,
): GitlabPage<T> | undefined {
  const { data, paginationInfo } = (answer ?? {}) as {
    data?: unknown;
    paginationInfo?: { next?: unknown };
  };
  if (!Array.isArray(data)) return undefined;
  const items: T[] = [];
  for (const entry of data as unknown[]) {
    const item = readItem(entry);
    if (item === undefined) return undefined;
    items.push(item);
  }
  const next = paginationInfo?.next;
  return { items, next: typeof next === 'number' && Number.isFinite(next) ? next : null };
}
