import type { ChangeEvent } from '../../events/change-event.js';
import type { PollFailure } from '../poll-state-record.js';
import { checkEventOf, targetsOf, type PollRecord, type PollRecordResult } from '../poll-record.js';
import { refChangedError, repositoryNotCurrentError } from '../storage-errors.js';
import type { RepositoryIdentity } from '../storage-types.js';
import { ADVISORY_LOCK, LOCK_NAMESPACE } from './advisory-locks.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { createDeliveries } from './pg-delivery-store.js';
import { eventExists, insertEventIfNew } from './pg-event-store.js';
import { recordPollFailure, recordPollSuccess } from './pg-poll-state-store.js';
import { removeRefs, upsertRefs } from './pg-ref-state-store.js';
import { advanceTransition } from './pg-ref-transition-store.js';
import { isCurrentIn } from './pg-repository-store.js';

/**
 * The transactional outbox, as the SQLite `PollRecorder`: a poll's ref state, its new events, one
 * pending delivery per target per new event, and the poll state in ONE transaction. Safe with
 * concurrent writers on READ COMMITTED: the repository row is locked FOR SHARE (it cannot be
 * repointed or removed before the poll commits), each event compares and sets its ref's
 * transition number, and events are inserted under a transaction advisory lock so they commit in
 * seq order.
 */
export class PgPollRecorder {
  constructor(private readonly db: PgDatabase) {}

  recordPoll(record: PollRecord): Promise<PollRecordResult> {
    const { repository, pollState } = record;
    return this.db.transaction(async (tx) => {
      await requireCurrent(tx, repository);
      await upsertRefs(tx, repository.name, record.refs.upsert, pollState.polledAt);
      await removeRefs(tx, repository.name, record.refs.remove);
      if (record.events.length > 0) {
        await tx.rows('SELECT pg_advisory_xact_lock($1, $2)', [
          LOCK_NAMESPACE,
          ADVISORY_LOCK.eventLog,
        ]);
      }
      const newEvents: ChangeEvent[] = [];
      const duplicateEventIds: string[] = [];
      let deliveriesCreated = 0;
      for (const event of record.events) {
        checkEventOf(repository, event);
        // Compare and set on the ref's transition number: only the writer that moves it from
        // n-1 to n records transition n. A replay of a recorded observation finds its event.
        if (!(await advanceTransition(tx, repository.name, event.ref, event.transition))) {
          if (await eventExists(tx, event.id)) {
            duplicateEventIds.push(event.id);
            continue;
          }
          throw refChangedError(repository.name, event.ref);
        }
        if (!(await insertEventIfNew(tx, event))) {
          duplicateEventIds.push(event.id);
          continue;
        }
        newEvents.push(event);
        deliveriesCreated += await createDeliveries(
          tx,
          event,
          targetsOf(record, event),
          pollState.polledAt,
        );
      }
      await recordPollSuccess(tx, repository.name, pollState);
      return { newEvents, duplicateEventIds, deliveriesCreated };
    });
  }

  /** Records a failed poll; resolves to the failures in a row, this one included. */
  recordPollFailure(repository: RepositoryIdentity, failure: PollFailure): Promise<number> {
    return this.db.transaction(async (tx) => {
      await requireCurrent(tx, repository);
      return recordPollFailure(tx, repository.name, failure);
    });
  }
}

/** `conflict` unless the repository is still watched at the url the poll read (row locked). */
async function requireCurrent(tx: PgQueryable, repository: RepositoryIdentity): Promise<void> {
  if (!(await isCurrentIn(tx, repository, true))) throw repositoryNotCurrentError(repository.name);
}
