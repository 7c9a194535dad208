import {
  pollStateColumns,
  pollStateFromRow,
  type PollFailure,
  type PollStateRecord,
  type PollStateRow,
  type PollSuccess,
} from '../poll-state-record.js';
import type { EpochMs } from '../storage-types.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';

const SELECT = `SELECT ${pollStateColumns('p')} FROM poll_state p`;

/** The poll_state table: one row per polled repository, written by `recordPoll*`. */
export class PgPollStateStore {
  constructor(private readonly db: PgDatabase) {}

  async get(repository: string): Promise<PollStateRecord | undefined> {
    const row = await this.db.first<PollStateRow>(`${SELECT} WHERE p.repository = $1`, [
      repository,
    ]);
    return row && pollStateFromRow(row);
  }

  async list(): Promise<PollStateRecord[]> {
    const rows = await this.db.rows<PollStateRow>(`${SELECT} ORDER BY p.repository`);
    return rows.map(pollStateFromRow);
  }

  /** Every stored next poll time alone (read for every repository at start: kept lean). */
  async nextPollAts(): Promise<Map<string, EpochMs>> {
    const rows = await this.db.rows<{ repository: string; nextPollAt: EpochMs }>(
      `SELECT repository, next_poll_at AS "nextPollAt" FROM poll_state
         WHERE next_poll_at IS NOT NULL`,
    );
    return new Map(rows.map((row) => [row.repository, row.nextPollAt]));
  }

  /** Moves the next poll of many repositories in one statement; unknown ones are skipped. */
  async setNextPollAts(nextPollAts: ReadonlyMap<string, EpochMs>): Promise<void> {
    if (nextPollAts.size === 0) return;
    await this.db.run(
      `UPDATE poll_state p SET next_poll_at = t.next
         FROM unnest($1::text[], $2::bigint[]) AS t(repository, next)
         WHERE p.repository = t.repository`,
      [[...nextPollAts.keys()], [...nextPollAts.values()]],
    );
  }
}

/** Records a successful poll inside the caller's transaction: clears the error and the count. */
export async function recordPollSuccess(
  tx: PgQueryable,
  repository: string,
  success: PollSuccess,
): Promise<void> {
  await tx.run(
    `INSERT INTO poll_state (repository, last_poll_at, last_success_at, last_error_code,
         last_error_message, consecutive_failures, next_poll_at, last_via,
         branches_baselined, tags_baselined, pulls_baselined, pulls_listed_at, active_at)
       VALUES ($1, $2, $2, NULL, NULL, 0, $3, $4, $5, $6, $7, $8, coalesce($9::bigint, $2::bigint))
       ON CONFLICT (repository) DO UPDATE SET last_poll_at = excluded.last_poll_at,
         last_success_at = excluded.last_success_at, last_error_code = NULL,
         last_error_message = NULL, consecutive_failures = 0,
         next_poll_at = excluded.next_poll_at, last_via = excluded.last_via,
         branches_baselined = excluded.branches_baselined,
         tags_baselined = excluded.tags_baselined,
         pulls_baselined = excluded.pulls_baselined,
         pulls_listed_at = coalesce(excluded.pulls_listed_at, poll_state.pulls_listed_at),
         active_at = coalesce($9::bigint, poll_state.active_at, excluded.last_poll_at)`,
    [
      repository,
      success.polledAt,
      success.nextPollAt,
      success.via,
      success.baselined.branch,
      success.baselined.tag,
      success.baselined.pull,
      success.pullsListedAt ?? null,
      success.activeAt ?? null,
    ],
  );
}

/** Records a failed poll inside the caller's transaction; returns the failures in a row. */
export async function recordPollFailure(
  tx: PgQueryable,
  repository: string,
  failure: PollFailure,
): Promise<number> {
  const row = await tx.first<{ consecutiveFailures: number }>(
    `INSERT INTO poll_state (repository, last_poll_at, last_error_code, last_error_message,
         consecutive_failures, next_poll_at)
       VALUES ($1, $2, $3, $4, 1, $5)
       ON CONFLICT (repository) DO UPDATE SET last_poll_at = excluded.last_poll_at,
         last_error_code = excluded.last_error_code,
         last_error_message = excluded.last_error_message,
         consecutive_failures = poll_state.consecutive_failures + 1,
         next_poll_at = excluded.next_poll_at
       RETURNING consecutive_failures AS "consecutiveFailures"`,
    [repository, failure.at, failure.code, failure.message, failure.nextPollAt],
  );
  return row?.consecutiveFailures ?? 1;
}
