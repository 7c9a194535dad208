import type { Database } from 'better-sqlite3';
import type { ChangeEvent } from '../events/change-event.js';
import type { DeliveryStore } from './delivery-store.js';
import type { EventStore } from './event-store.js';
import { checkEventOf, targetsOf, type PollRecord, type PollRecordResult } from './poll-record.js';
import type { PollFailure, PollStateStore } from './poll-state-store.js';
import type { RefStateStore } from './ref-state-store.js';
import type { RefTransitionStore } from './ref-transition-store.js';
import type { RepositoryStore } from './repository-store.js';
import { SqlStore } from './sql-store.js';
import { refChangedError, repositoryNotCurrentError } from './storage-errors.js';
import type { EpochMs, RepositoryIdentity } from './storage-types.js';

export type { PollRecord, PollRecordResult } from './poll-record.js';

export interface PollRecorderStores {
  readonly repositories: RepositoryStore;
  readonly refStates: RefStateStore;
  readonly refTransitions: RefTransitionStore;
  readonly pollStates: PollStateStore;
  readonly events: EventStore;
  readonly deliveries: DeliveryStore;
}

/**
 * The transactional outbox. A poll's ref state, its new events, one pending delivery per target
 * per new event, and the poll state are written in ONE transaction: after a crash either all of
 * it is there (and the delivery worker will send it) or none (and the next poll sees the same
 * change again, with the same event id).
 */
export class PollRecorder extends SqlStore {
  constructor(
    db: Database,
    private readonly stores: PollRecorderStores,
    now?: () => EpochMs,
  ) {
    super(db, now);
  }

  recordPoll(record: PollRecord): PollRecordResult {
    const { repository, pollState } = record;
    return this.atomically(() => {
      this.requireCurrent(repository);
      this.stores.refStates.upsert(repository.name, record.refs.upsert, pollState.polledAt);
      this.stores.refStates.remove(repository.name, record.refs.remove);
      const newEvents: ChangeEvent[] = [];
      const duplicateEventIds: string[] = [];
      let deliveriesCreated = 0;
      for (const event of record.events) {
        checkEventOf(repository, event);
        // Compare and set on the ref's transition number: only the writer that moves it from
        // n-1 to n records transition n. A replay of a recorded observation finds its event.
        if (!this.stores.refTransitions.advance(repository.name, event.ref, event.transition)) {
          if (this.stores.events.get(event.id) !== undefined) {
            duplicateEventIds.push(event.id);
            continue;
          }
          throw refChangedError(repository.name, event.ref);
        }
        if (!this.stores.events.insertIfNew(event)) {
          duplicateEventIds.push(event.id);
          continue;
        }
        newEvents.push(event);
        deliveriesCreated += this.stores.deliveries.createForEvent(
          event,
          targetsOf(record, event),
          pollState.polledAt,
        );
      }
      this.stores.pollStates.recordSuccess(repository.name, pollState);
      return { newEvents, duplicateEventIds, deliveriesCreated };
    });
  }

  /** Records a failed poll; returns the failures in a row, this one included. */
  recordPollFailure(repository: RepositoryIdentity, failure: PollFailure): number {
    return this.atomically(() => {
      this.requireCurrent(repository);
      return this.stores.pollStates.recordFailure(repository.name, failure);
    });
  }

  /**
   * A poll is recorded only for a repository still watched at the url it polled: one that left
   * the config, or was pointed elsewhere, while its poll was in flight is `conflict`.
   */
  private requireCurrent(repository: RepositoryIdentity): void {
    if (this.stores.repositories.isCurrent(repository)) return;
    throw repositoryNotCurrentError(repository.name);
  }

  /**
   * Drops refs from the recorded state without any event: for refs that stopped matching a
   * regex, which are forgotten, never reported deleted. Returns how many were recorded.
   */
  forgetRefs(repository: string, refs: readonly string[]): number {
    return this.atomically(() => this.stores.refStates.remove(repository, refs));
  }
}
