import type { RefKind } from '../events/change-event.js';

/** What a first poll records silently: branches, tags, pull requests. */
export type BaselineKind = RefKind | 'pull';
import { selectList } from './select-list.js';
import type { EpochMs, PollVia } from './storage-types.js';

export interface PollStateRecord {
  readonly repository: string;
  readonly lastPollAt: EpochMs | null;
  readonly lastSuccessAt: EpochMs | null;
  /** ReposentryError code of the last poll when it failed; null after a success. */
  readonly lastErrorCode: string | null;
  readonly lastErrorMessage: string | null;
  readonly consecutiveFailures: number;
  readonly nextPollAt: EpochMs | null;
  /** How the last successful poll listed refs. */
  readonly lastVia: PollVia | null;
  /** Whether the silent first-poll baseline of branches (tags, pull requests) is recorded. */
  readonly baselined: Readonly<Record<BaselineKind, boolean>>;
  /** When the last listing of pull requests through the host's API started (not ls-remote). */
  readonly pullsListedAt: EpochMs | null;
  /** The last change recorded, or poll asked for (see PollSuccess.activeAt). */
  readonly activeAt: EpochMs | null;
}

export interface PollSuccess {
  readonly polledAt: EpochMs;
  readonly nextPollAt: EpochMs;
  readonly via: PollVia;
  /** Baselines recorded after this poll (a kind once baselined stays so unless reset). */
  readonly baselined: Readonly<Record<BaselineKind, boolean>>;
  /** When this poll's request listing through the API started; absent keeps the stored one. */
  readonly pullsListedAt?: EpochMs;
  /**
   * Set when this poll recorded a change or was asked for (poll-now, a webhook); absent keeps
   * the stored one (the poll's time when none is stored yet).
   */
  readonly activeAt?: EpochMs;
}

export interface PollFailure {
  /** ReposentryError code. */
  readonly code: string;
  /** Already free of secrets. */
  readonly message: string;
  readonly at: EpochMs;
  readonly nextPollAt: EpochMs;
}

/** A poll_state row as `POLL_STATE_COLUMNS` selects it; a flag is 0/1 (SQLite) or a boolean. */
export interface PollStateRow {
  repository: string;
  lastPollAt: number | null;
  lastSuccessAt: number | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  consecutiveFailures: number;
  nextPollAt: number | null;
  lastVia: PollVia | null;
  branchesBaselined: number | boolean;
  tagsBaselined: number | boolean;
  pullsBaselined: number | boolean;
  pullsListedAt: number | null;
  activeAt: number | null;
}

/** Select list for `PollStateRow` from the poll_state table aliased `alias`. */
export function pollStateColumns(alias: string): string {
  return selectList(alias, [
    'repository',
    'last_poll_at AS lastPollAt',
    'last_success_at AS lastSuccessAt',
    'last_error_code AS lastErrorCode',
    'last_error_message AS lastErrorMessage',
    'consecutive_failures AS consecutiveFailures',
    'next_poll_at AS nextPollAt',
    'last_via AS lastVia',
    'branches_baselined AS branchesBaselined',
    'tags_baselined AS tagsBaselined',
    'pulls_baselined AS pullsBaselined',
    'pulls_listed_at AS pullsListedAt',
    'active_at AS activeAt',
  ]);
}

function isSet(flag: number | boolean): boolean {
  return flag === true || flag === 1;
}

export function pollStateFromRow(row: PollStateRow): PollStateRecord {
  const { branchesBaselined, tagsBaselined, pullsBaselined, ...rest } = row;
  return {
    ...rest,
    baselined: {
      branch: isSet(branchesBaselined),
      tag: isSet(tagsBaselined),
      pull: isSet(pullsBaselined),
    },
  };
}
