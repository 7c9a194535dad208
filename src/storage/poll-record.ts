import type { ChangeEvent } from '../events/change-event.js';
import type { PollSuccess } from './poll-state-record.js';
import type { RefSha } from './ref-state-record.js';
import { foreignEventError } from './storage-errors.js';
import type { DeliveryTarget, RepositoryIdentity } from './storage-types.js';

/** Everything one successful poll of one repository learned. */
export interface PollRecord {
  /** A `RepositoryConfig` will do; must be watched (tracked) at this url, else `conflict`. */
  readonly repository: RepositoryIdentity;
  /** The new ref state: refs whose sha is new or changed, and refs that disappeared. */
  readonly refs: {
    readonly upsert: readonly RefSha[];
    readonly remove: readonly string[];
  };
  /** Events detected by this poll; all must belong to `repository`. */
  readonly events: readonly ChangeEvent[];
  /** Where each NEW event goes: one list for all, or decided per event. */
  readonly targets: readonly DeliveryTarget[] | ((event: ChangeEvent) => readonly DeliveryTarget[]);
  readonly pollState: PollSuccess;
}

export interface PollRecordResult {
  /** Events recorded by this call, in input order: only these got deliveries. */
  readonly newEvents: readonly ChangeEvent[];
  /** Ids recorded before (the same observation replayed): nothing was written for them. */
  readonly duplicateEventIds: readonly string[];
  readonly deliveriesCreated: number;
}

/** Where a new event of `record` goes. */
export function targetsOf(record: PollRecord, event: ChangeEvent): readonly DeliveryTarget[] {
  return typeof record.targets === 'function' ? record.targets(event) : record.targets;
}

/** `internal` when `event` is not one of `repository`'s (nothing of the poll is recorded). */
export function checkEventOf(repository: RepositoryIdentity, event: ChangeEvent): void {
  if (event.repository.name !== repository.name) {
    throw foreignEventError(event.id, event.repository.name, repository.name);
  }
}
