import type { Provider } from '../config/config-types.js';
import type { ChangeEvent, EventType, PullRequestFacts } from '../events/change-event.js';
import { selectList } from './select-list.js';

/** A recorded event: the ChangeEvent plus its position in the event log. */
export interface StoredEvent extends ChangeEvent {
  /** Insertion order; grows forever, never reused (cursor and SSE `id`). */
  readonly seq: number;
}

/** The events columns as selected by `EVENT_COLUMNS`. */
export interface EventRow {
  seq: number;
  id: string;
  repository: string;
  repositoryUrl: string;
  provider: Provider;
  ref: string;
  type: EventType;
  beforeSha: string | null;
  afterSha: string | null;
  transitionNumber: number;
  detectedAt: number;
  /** JSON text (SQLite) or the parsed value (PostgreSQL JSONB); null for ref events. */
  pullRequest: string | PullRequestFacts | null;
}

/** Select list for `EventRow`; `alias` is the events table's alias in the query. */
export function eventColumns(alias: string): string {
  return selectList(alias, [
    'seq',
    'id',
    'repository',
    'repository_url AS repositoryUrl',
    'provider',
    'ref',
    'type',
    'before_sha AS beforeSha',
    'after_sha AS afterSha',
    'transition_number AS transitionNumber',
    'detected_at AS detectedAt',
    'pull_request AS pullRequest',
  ]);
}

export function eventFromRow(row: EventRow): StoredEvent {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    repository: { name: row.repository, url: row.repositoryUrl, provider: row.provider },
    ref: row.ref,
    before: row.beforeSha,
    after: row.afterSha,
    transition: row.transitionNumber,
    detectedAt: new Date(row.detectedAt),
    ...(row.pullRequest === null
      ? {}
      : {
          pullRequest:
            typeof row.pullRequest === 'string'
              ? (JSON.parse(row.pullRequest) as PullRequestFacts)
              : row.pullRequest,
        }),
  };
}
