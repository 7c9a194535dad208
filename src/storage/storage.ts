import type { Component } from '../runtime/component.js';
import type { Cluster } from './cluster.js';
import type {
  AttemptInput,
  ClaimedDelivery,
  DeliverySummary,
  DeliveryWithAttempts,
  StoredPayload,
} from './delivery-record.js';
import type { DiscoveryListRecord, DiscoveryListWrite } from './discovery-list-record.js';
import type { EventPage, EventQuery } from './event-query.js';
import type { StoredEvent } from './event-row.js';
import type { HttpCacheEntry } from './http-cache-entry.js';
import type { PollRecord, PollRecordResult } from './poll-record.js';
import type { PollFailure, PollStateRecord } from './poll-state-record.js';
import type { PruneCounts } from './prune-counts.js';
import type { RefStateRecord } from './ref-state-record.js';
import type { RepositoryRecord, RepositorySync, TrackResult } from './repository-record.js';
import type { DeliveryStatus, EpochMs, RepositoryIdentity } from './storage-types.js';

/**
 * The storage every caller outside src/storage/ sees: one asynchronous interface, whatever engine
 * is behind it (`createStorage` picks it). Each method rejects with a ReposentryError
 * (`storage-failed` before `start` and after `stop`, `storage-busy`, `conflict`, ...), never with an
 * engine's own error. The record types are engine-neutral (the `*-record.ts` files beside it).
 */

/** The watched repositories (see RepositoryStore). */
export interface RepositoryStorage {
  /** Starts or keeps watching a repository; at another url or provider its state is forgotten. */
  track(repository: RepositoryIdentity, at?: EpochMs): Promise<TrackResult>;
  /** Makes the watched set exactly `repositories`, at once. */
  syncFromConfig(
    repositories: readonly RepositoryIdentity[],
    at?: EpochMs,
  ): Promise<RepositorySync>;
  /** Whether this repository, at this url and provider, is being watched. */
  isCurrent(repository: RepositoryIdentity): Promise<boolean>;
  get(name: string): Promise<RepositoryRecord | undefined>;
}

/** The recorded refs (written only by `Storage.recordPoll`). */
export interface RefStateReads {
  /** The recorded refs of a repository, in ref order. */
  list(repository: string): Promise<Map<string, RefStateRecord>>;
  /** How many refs are recorded per repository (repositories without refs are absent). */
  counts(): Promise<Map<string, number>>;
  /** Ref -> sha, the shape change detection compares a listing with. */
  shas(repository: string): Promise<Map<string, string>>;
}

/** How many transitions each ref has had (advanced only by `Storage.recordPoll`). */
export interface RefTransitionReads {
  /** The last recorded number of each given ref; refs never transitioned are absent (0). */
  lastNumbers(repository: string, refs: readonly string[]): Promise<Map<string, number>>;
  /** The last recorded number of every ref of a repository that ever transitioned. */
  all(repository: string): Promise<Map<string, number>>;
}

/** One row per polled repository (written by `Storage.recordPoll*`, next times by the scheduler). */
export interface PollStateStorage {
  get(repository: string): Promise<PollStateRecord | undefined>;
  list(): Promise<PollStateRecord[]>;
  /** The stored next poll time of every repository that has one (read once at start). */
  nextPollAts(): Promise<Map<string, EpochMs>>;
  /** Moves the next poll of many repositories at once; unknown repositories are skipped. */
  setNextPollAts(nextPollAts: ReadonlyMap<string, EpochMs>): Promise<void>;
}

/** The stored ETags and bodies of conditional GitHub requests (see HttpCacheStore). */
export interface HttpCacheStorage {
  get(repository: string, endpoint: string): Promise<HttpCacheEntry | undefined>;
  set(repository: string, endpoint: string, entry: HttpCacheEntry): Promise<void>;
  /** Drops every cached response of a repository. */
  clear(repository: string): Promise<void>;
}

/** What each `discovery` entry found (written by the leader; see DiscoveryListRecord). */
export interface DiscoveryListStorage {
  list(): Promise<DiscoveryListRecord[]>;
  /** Compare-and-set on the generation read (undefined: none); false when another write won. */
  save(list: DiscoveryListWrite, generation: number | undefined): Promise<boolean>;
  /** Deletes the lists of entries no longer configured; resolves to what they were. */
  retain(entries: readonly string[]): Promise<DiscoveryListRecord[]>;
}

/** The event log (written only by `Storage.recordPoll`). */
export interface EventReads {
  get(id: string): Promise<StoredEvent | undefined>;
  /** Newest first, filtered, one page at a time; a malformed cursor or limit is `bad-request`. */
  list(query: EventQuery): Promise<EventPage>;
  /** Events recorded after `seq`, oldest first (SSE resume from Last-Event-ID). */
  listAfter(seq: number, limit: number): Promise<StoredEvent[]>;
  /** The highest seq recorded so far (0 when none). */
  latestSeq(): Promise<number>;
  count(): Promise<number>;
}

/** The outbox queue of deliveries (see DeliveryStore for each transition). */
export interface DeliveryQueue {
  /** Marks up to `limit` due deliveries in_flight and returns them, one per ref lane, oldest first. */
  claimDue(now: EpochMs, limit: number): Promise<ClaimedDelivery[]>;
  /** Stores the payload of the first send; returns the stored one (an earlier one wins). */
  savePayload(
    id: number,
    body: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<StoredPayload>;
  /** Logs one attempt of an in_flight delivery. */
  recordAttempt(id: number, attempt: AttemptInput): Promise<void>;
  markDelivered(id: number, at: EpochMs): Promise<void>;
  /** Back to pending, due at `nextAttemptAt`. */
  scheduleRetry(
    id: number,
    nextAttemptAt: EpochMs,
    error: string,
    statusCode?: number,
  ): Promise<void>;
  /** Gives up; the delivery stays for `redeliver`. */
  markFailed(id: number, error: string, statusCode?: number): Promise<void>;
  /** At start-up: deliveries left in_flight by a crash become pending again. Returns how many. */
  requeueInFlight(): Promise<number>;
  /** Queues every delivery of an event again; `not-found`, or `conflict` while one is open. */
  redeliver(eventId: string, at?: EpochMs): Promise<DeliverySummary[]>;
  countByStatus(): Promise<Record<DeliveryStatus, number>>;
  /** How long the longest-waiting open delivery has been queued; undefined when none. */
  oldestPendingAge(now: EpochMs): Promise<number | undefined>;
  /** When the next claimable delivery falls due (may be in the past); undefined when none. */
  nextDueAt(): Promise<EpochMs | undefined>;
  /** An event's deliveries (oldest first), each with every attempt. */
  listForEvent(eventId: string): Promise<DeliveryWithAttempts[]>;
}

/**
 * The database as a component (`start` opens it, `stop` closes it; the runtime stops it last),
 * with a store per table family and the outbox writes. Using it before `start` or after `stop`
 * is `storage-failed`.
 */
export interface Storage extends Component {
  /** Where the data is, for messages (a file path; never a credential). */
  readonly location: string;
  /** Whether it is open (between `start` and `stop`). */
  readonly isOpen: boolean;
  /**
   * How several replicas on this database coordinate: set once started on an engine that has
   * replicas (PostgreSQL); undefined on SQLite, which one daemon uses at a time.
   */
  readonly cluster?: Cluster | undefined;
  readonly repositories: RepositoryStorage;
  readonly refStates: RefStateReads;
  readonly refTransitions: RefTransitionReads;
  readonly pollStates: PollStateStorage;
  readonly httpCache: HttpCacheStorage;
  readonly discoveryLists: DiscoveryListStorage;
  readonly events: EventReads;
  readonly deliveries: DeliveryQueue;
  /**
   * The outbox write of a successful poll, in one transaction: ref state, new events, one pending
   * delivery per target per new event, poll state (see PollRecorder.recordPoll).
   */
  recordPoll(record: PollRecord): Promise<PollRecordResult>;
  /** Records a failed poll; resolves to the failures in a row, this one included. */
  recordPollFailure(repository: RepositoryIdentity, failure: PollFailure): Promise<number>;
  /** One retention batch: finished events detected before `cutoff`, with their deliveries. */
  pruneBatch(cutoff: EpochMs, batchSize: number): Promise<PruneCounts>;
}

/**
 * The methods of each store of `Storage`, as `BoundStorage` binds them to an engine's own stores
 * (one list, so a method added to an interface is bound for both engines or for neither).
 */
export const STORE_METHODS = {
  repositories: ['track', 'syncFromConfig', 'isCurrent', 'get'],
  refStates: ['list', 'counts', 'shas'],
  refTransitions: ['lastNumbers', 'all'],
  pollStates: ['get', 'list', 'nextPollAts', 'setNextPollAts'],
  httpCache: ['get', 'set', 'clear'],
  discoveryLists: ['list', 'save', 'retain'],
  events: ['get', 'list', 'listAfter', 'latestSeq', 'count'],
  deliveries: [
    'claimDue',
    'savePayload',
    'recordAttempt',
    'markDelivered',
    'scheduleRetry',
    'markFailed',
    'requeueInFlight',
    'redeliver',
    'countByStatus',
    'oldestPendingAge',
    'nextDueAt',
    'listForEvent',
  ],
} as const satisfies {
  repositories: readonly (keyof RepositoryStorage)[];
  refStates: readonly (keyof RefStateReads)[];
  refTransitions: readonly (keyof RefTransitionReads)[];
  pollStates: readonly (keyof PollStateStorage)[];
  httpCache: readonly (keyof HttpCacheStorage)[];
  discoveryLists: readonly (keyof DiscoveryListStorage)[];
  events: readonly (keyof EventReads)[];
  deliveries: readonly (keyof DeliveryQueue)[];
};
