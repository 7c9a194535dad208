import type { ComponentHealth } from '../runtime/component.js';
import { asyncFacade, settle } from './async-facade.js';
import type { PollRecord, PollRecordResult } from './poll-record.js';
import type { PollFailure } from './poll-state-record.js';
import type { PruneCounts } from './prune-counts.js';
import {
  STORE_METHODS,
  type DeliveryQueue,
  type DiscoveryListStorage,
  type EventReads,
  type HttpCacheStorage,
  type PollStateStorage,
  type RefStateReads,
  type RefTransitionReads,
  type RepositoryStorage,
  type Storage,
} from './storage.js';
import type { EpochMs, RepositoryIdentity } from './storage-types.js';

type StoreName = keyof typeof STORE_METHODS;
type OutboxName = 'recordPoll' | 'recordPollFailure' | 'pruneBatch';

/** `T`'s methods `K`, each returning what `T`'s returns a Promise of, or that Promise. */
type Backing<T, K extends PropertyKey> = {
  readonly [M in K & keyof T]: T[M] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R | Promise<R>
    : never;
};

/**
 * An engine's open stores, as `BoundStorage` calls them: each store of `Storage` with the
 * methods `STORE_METHODS` binds, and the outbox writes, synchronous (SQLite) or not (PostgreSQL).
 */
export type EngineStores = {
  readonly [N in StoreName]: Backing<Storage[N], (typeof STORE_METHODS)[N][number]>;
} & Backing<Storage, OutboxName>;

/**
 * The part of `Storage` both engines share: the stores and the outbox writes, each call looked
 * up in the stores open at that moment (`openStores`), so a call before `start` or after `stop`
 * rejects with what `openStores` throws (`storage-failed`), never throws; a synchronous store's
 * result or throw arrives as a Promise. An engine adds its lifecycle.
 */
export abstract class BoundStorage implements Pick<Storage, StoreName | OutboxName> {
  readonly repositories: RepositoryStorage = asyncFacade(
    () => this.openStores().repositories,
    STORE_METHODS.repositories,
  );
  readonly refStates: RefStateReads = asyncFacade(
    () => this.openStores().refStates,
    STORE_METHODS.refStates,
  );
  readonly refTransitions: RefTransitionReads = asyncFacade(
    () => this.openStores().refTransitions,
    STORE_METHODS.refTransitions,
  );
  readonly pollStates: PollStateStorage = asyncFacade(
    () => this.openStores().pollStates,
    STORE_METHODS.pollStates,
  );
  readonly httpCache: HttpCacheStorage = asyncFacade(
    () => this.openStores().httpCache,
    STORE_METHODS.httpCache,
  );
  readonly discoveryLists: DiscoveryListStorage = asyncFacade(
    () => this.openStores().discoveryLists,
    STORE_METHODS.discoveryLists,
  );
  readonly events: EventReads = asyncFacade(() => this.openStores().events, STORE_METHODS.events);
  readonly deliveries: DeliveryQueue = asyncFacade(
    () => this.openStores().deliveries,
    STORE_METHODS.deliveries,
  );

  /** The engine's stores while it is open; throws `storage-failed` otherwise. */
  protected abstract openStores(): EngineStores;

  recordPoll(record: PollRecord): Promise<PollRecordResult> {
    return settle(() => this.openStores().recordPoll(record));
  }

  recordPollFailure(repository: RepositoryIdentity, failure: PollFailure): Promise<number> {
    return settle(() => this.openStores().recordPollFailure(repository, failure));
  }

  pruneBatch(cutoff: EpochMs, batchSize: number): Promise<PruneCounts> {
    return settle(() => this.openStores().pruneBatch(cutoff, batchSize));
  }
}

/** A storage's health from whether it is open or was closed, with the engine's details. */
export function openStateHealth(
  open: boolean,
  closed: boolean,
  details: Record<string, unknown>,
): ComponentHealth {
  if (open) return { status: 'healthy', message: 'database open', details };
  if (closed) return { status: 'stopped', message: 'database closed', details };
  return { status: 'starting', message: 'database not open yet', details };
}
