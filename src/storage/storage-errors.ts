import { ReposentryError } from '../errors/reposentry-error.js';
import type { DeliveryStatus } from './storage-types.js';

/**
 * The errors every storage engine raises for the same outcome, built in one place so SQLite and
 * PostgreSQL reject a call with the same code and the same message. Messages name repositories,
 * refs, events and deliveries, never a credential or a payload.
 */

/** Using a storage before `start` or after `stop`. */
export function storageNotOpenError(location: string, closed: boolean): ReposentryError {
  return new ReposentryError(
    'storage-failed',
    `Database ${location} is ${closed ? 'closed' : 'not open yet'}`,
  );
}

/** A poll of a repository that left the config, or was pointed elsewhere, while it ran. */
export function repositoryNotCurrentError(repository: string): ReposentryError {
  return new ReposentryError(
    'conflict',
    `Repository ${repository} is no longer watched at the url this poll read ` +
      `(it left the config or its url changed meanwhile); nothing was recorded`,
  );
}

/** Another writer recorded a transition of the ref since the poll read its number. */
export function refChangedError(repository: string, ref: string): ReposentryError {
  return new ReposentryError(
    'conflict',
    `Ref ${ref} of repository ${repository} changed since this poll read ` +
      `it; nothing was recorded, the next poll compares again`,
  );
}

/** A poll record carrying an event of another repository (a caller's bug). */
export function foreignEventError(
  eventId: string,
  eventRepository: string,
  repository: string,
): ReposentryError {
  return new ReposentryError(
    'internal',
    `Event ${eventId} belongs to ${eventRepository}, not ${repository}`,
  );
}

export function deliveryNotFoundError(id: number): ReposentryError {
  return new ReposentryError('not-found', `Delivery ${id} does not exist`);
}

/** A worker transition (attempt, delivered, retry, failed) of a delivery it does not hold. */
export function deliveryNotInFlightError(id: number, status: DeliveryStatus): ReposentryError {
  return new ReposentryError('conflict', `Delivery ${id} is ${status}, not in_flight`);
}

/** A worker transition on a delivery another replica claimed after this one's lease ran out. */
export function deliveryClaimedByOtherError(id: number, holder: string | null): ReposentryError {
  return new ReposentryError(
    'conflict',
    `Delivery ${id} is being sent by ${holder === null ? 'another process' : `replica ${holder}`} now (this claim's lease ran out)`,
  );
}

export function eventNotFoundError(eventId: string): ReposentryError {
  return new ReposentryError('not-found', `Event ${eventId} does not exist`);
}

/** `redeliver` while the event still has a delivery queued or being sent. */
export function deliveryOpenError(eventId: string): ReposentryError {
  return new ReposentryError('conflict', `Event ${eventId} has a delivery pending or in flight`);
}

/** A delivery whose event row is gone (the foreign key makes this a broken database). */
export function deliveryEventMissingError(eventId: string): ReposentryError {
  return new ReposentryError('storage-failed', `Event ${eventId} of a delivery is missing`);
}
