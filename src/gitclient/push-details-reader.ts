import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import {
  MAX_PUSH_COMMITS,
  newestCommits,
  type CommitDetails,
  type MissingDetail,
  type PushChange,
  type PushDetails,
  type RepositoryDetails,
} from '../events/push-details.js';

/** One comparison of two commits, as a host's API answers it (one page of commits). */
export interface ComparePage {
  /** `behind` or `diverged`: the old sha is not an ancestor of the new one (when the host says). */
  readonly forced?: boolean;
  readonly totalCommits: number;
  readonly webUrl?: string;
  /** The commits the change brought, oldest first (all, or one page of `perPage`). */
  readonly commits: readonly CommitDetails[];
}

/** What a host's client answers for push details; each call throws a ReposentryError on failure. */
export interface PushDetailsSource {
  repository(): Promise<RepositoryDetails>;
  commit(sha: string): Promise<CommitDetails>;
  /**
   * Page `page` (from 1) of the commits between before and after, `perPage` each; a host that
   * does not page its compare ignores both and answers every commit.
   */
  compare(before: string, after: string, perPage: number, page: number): Promise<ComparePage>;
  /** What the calls so far cost. */
  cost(): PushDetails['cost'];
}

/**
 * Reads what a push hook carries beyond the shas: the repository, then for an update the
 * compare of before...after (its newest MAX_PUSH_COMMITS commits, whether it was forced), and the
 * head commit (from the compare when it ends there, else on its own). A part that fails is left
 * out and named in `missing`; nothing here throws.
 */
export async function readPushDetails(
  source: PushDetailsSource,
  change: PushChange,
): Promise<PushDetails> {
  const missing: MissingDetail[] = [];
  const attempt = async <T>(part: MissingDetail['part'], read: () => Promise<T>) => {
    try {
      return await read();
    } catch (err) {
      missing.push({ part, code: errorCodeOf(err), message: errorMessageOf(err) });
      return undefined;
    }
  };
  const repository = await attempt('repository', () => source.repository());
  let compare: ComparePage | undefined;
  if (change.before !== null && change.after !== null) {
    const { before, after } = change;
    compare = await attempt('compare', () => newestOfCompare(source, before, after));
  }
  let headCommit: CommitDetails | undefined;
  if (change.after !== null) {
    const { after } = change;
    const last = compare?.commits.at(-1);
    headCommit =
      last?.id === after ? last : await attempt('head_commit', () => source.commit(after));
  }
  return {
    ...(repository ? { repository } : {}),
    ...(headCommit ? { headCommit } : {}),
    ...(compare
      ? {
          commits: compare.commits,
          totalCommits: compare.totalCommits,
          ...(compare.forced === undefined ? {} : { forced: compare.forced }),
          ...(compare.webUrl ? { compareUrl: compare.webUrl } : {}),
        }
      : {}),
    missing,
    cost: source.cost(),
  };
}

/** The compare with only its newest MAX_PUSH_COMMITS commits, reading the last pages if needed. */
async function newestOfCompare(
  source: PushDetailsSource,
  before: string,
  after: string,
): Promise<ComparePage> {
  const first = await source.compare(before, after, MAX_PUSH_COMMITS, 1);
  if (first.totalCommits <= first.commits.length) {
    return { ...first, commits: newestCommits(first.commits) };
  }
  const lastPage = Math.ceil(first.totalCommits / MAX_PUSH_COMMITS);
  const pages = first.totalCommits % MAX_PUSH_COMMITS === 0 ? [lastPage] : [lastPage - 1, lastPage];
  const commits: CommitDetails[] = [];
  for (const page of pages) {
    commits.push(
      ...(page === 1 ? first : await source.compare(before, after, MAX_PUSH_COMMITS, page)).commits,
    );
  }
  return { ...first, commits: newestCommits(commits) };
}
