import {
  pollStateColumns,
  pollStateFromRow,
  type PollFailure,
  type PollStateRecord,
  type PollStateRow,
  type PollSuccess,
} from './poll-state-record.js';
import { SqlStore } from './sql-store.js';
import type { EpochMs } from './storage-types.js';

export type { PollFailure, PollStateRecord, PollSuccess } from './poll-state-record.js';

const SELECT = `SELECT ${pollStateColumns('poll_state')} FROM poll_state`;

/** The poll_state table: one row per polled repository, written by `Storage.recordPoll*`. */
export class PollStateStore extends SqlStore {
  get(repository: string): PollStateRecord | undefined {
    const row = this.guard(() =>
      this.prepare<[string], PollStateRow>(`${SELECT} WHERE repository = ?`).get(repository),
    );
    return row && pollStateFromRow(row);
  }

  /** Every stored next poll time alone (read for every repository at start: kept lean). */
  nextPollAts(): Map<string, EpochMs> {
    const rows = this.guard(() =>
      this.prepare<[], { repository: string; nextPollAt: EpochMs }>(
        `SELECT repository, next_poll_at AS nextPollAt FROM poll_state
           WHERE next_poll_at IS NOT NULL`,
      ).all(),
    );
    return new Map(rows.map((row) => [row.repository, row.nextPollAt]));
  }

  list(): PollStateRecord[] {
    return this.guard(() =>
      this.prepare<[], PollStateRow>(`${SELECT} ORDER BY repository`).all().map(pollStateFromRow),
    );
  }

  /** Records a successful poll: clears the error and the failure count. */
  recordSuccess(repository: string, success: PollSuccess): void {
    this.guard(() =>
      this.prepare(
        `INSERT INTO poll_state (repository, last_poll_at, last_success_at, last_error_code,
             last_error_message, consecutive_failures, next_poll_at, last_via,
             branches_baselined, tags_baselined, pulls_baselined, pulls_listed_at, active_at)
           VALUES (@repository, @at, @at, NULL, NULL, 0, @next, @via, @branches, @tags, @pulls,
             @pullsListedAt, coalesce(@activeAt, @at))
           ON CONFLICT (repository) DO UPDATE SET last_poll_at = @at, last_success_at = @at,
             last_error_code = NULL, last_error_message = NULL, consecutive_failures = 0,
             next_poll_at = @next, last_via = @via, branches_baselined = @branches,
             tags_baselined = @tags, pulls_baselined = @pulls,
             pulls_listed_at = coalesce(@pullsListedAt, pulls_listed_at),
             active_at = coalesce(@activeAt, active_at, @at)`,
      ).run({
        repository,
        at: success.polledAt,
        next: success.nextPollAt,
        via: success.via,
        branches: success.baselined.branch ? 1 : 0,
        tags: success.baselined.tag ? 1 : 0,
        pulls: success.baselined.pull ? 1 : 0,
        pullsListedAt: success.pullsListedAt ?? null,
        activeAt: success.activeAt ?? null,
      }),
    );
  }

  /** Records a failed poll; returns the number of failures in a row, this one included. */
  recordFailure(repository: string, failure: PollFailure): number {
    return this.guard(() => {
      const row = this.prepare<[Record<string, unknown>], { consecutiveFailures: number }>(
        `INSERT INTO poll_state (repository, last_poll_at, last_error_code, last_error_message,
             consecutive_failures, next_poll_at)
           VALUES (@repository, @at, @code, @message, 1, @next)
           ON CONFLICT (repository) DO UPDATE SET last_poll_at = @at, last_error_code = @code,
             last_error_message = @message, consecutive_failures = consecutive_failures + 1,
             next_poll_at = @next
           RETURNING consecutive_failures AS consecutiveFailures`,
      ).get({
        repository,
        at: failure.at,
        code: failure.code,
        message: failure.message,
        next: failure.nextPollAt,
      });
      return row?.consecutiveFailures ?? 1;
    });
  }

  /** `setNextPollAt` for many repositories in one transaction (one commit, not one per row). */
  setNextPollAts(nextPollAts: ReadonlyMap<string, EpochMs>): void {
    this.atomically(() => {
      const update = this.prepare('UPDATE poll_state SET next_poll_at = ? WHERE repository = ?');
      for (const [repository, nextPollAt] of nextPollAts) update.run(nextPollAt, repository);
    });
  }

  /** Moves the next poll (e.g. "poll now" from the API); false when never polled. */
  setNextPollAt(repository: string, nextPollAt: EpochMs): boolean {
    return this.guard(
      () =>
        this.prepare('UPDATE poll_state SET next_poll_at = ? WHERE repository = ?').run(
          nextPollAt,
          repository,
        ).changes > 0,
    );
  }
}
