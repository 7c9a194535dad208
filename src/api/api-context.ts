import type { Config, RepositoryConfig } from '../config/config-types.js';
import type { ReloadState } from '../config/config-watcher.js';
import type { EventFeed } from './event-feed.js';
import type { DiscoveryEntry } from './schemas/status-schemas.js';
import type { RateLimitSnapshot } from '../gitclient/index.js';
import type { QuotaForecast } from '../poller/quota-governor.js';
import type { ScheduleEntry } from '../poller/scheduler.js';
import type { RuntimeHealth } from '../runtime/runtime-manager.js';
import type { DeliverySummary } from '../storage/delivery-record.js';
import type { Storage } from '../storage/storage.js';

/** What became of a webhook sent to /hooks/github or /hooks/gitlab. */
export const HOOK_OUTCOMES = [
  'accepted',
  'ping',
  'unauthorized',
  'not_watched',
  'malformed',
  'too_large',
  'rate_limited',
  'disabled',
] as const;
export type HookOutcome = (typeof HOOK_OUTCOMES)[number];

/** A `discovery` entry's state as the daemon keeps it (read-only lists). */
export type DiscoveryEntryFacts = Omit<DiscoveryEntry, 'overlaps' | 'rejected'> & {
  readonly overlaps: readonly DiscoveryEntry['overlaps'][number][];
  readonly rejected: readonly { readonly path: string; readonly problems: readonly string[] }[];
};

/**
 * Everything the HTTP API may use: storage to read, and the few questions and requests it puts
 * to the running daemon. Nothing below src/api/ imports the API.
 */
export interface ApiContext {
  readonly storage: Pick<Storage, 'events' | 'deliveries' | 'pollStates' | 'refStates' | 'cluster'>;
  /** This daemon's replica id (PostgreSQL); absent on SQLite. */
  readonly replicaId?: string;
  readonly feed: EventFeed;
  readonly startedAt: Date;
  config(): Config;
  health(): RuntimeHealth;
  isReady(): boolean;
  schedule(name: string): ScheduleEntry | undefined;
  /** Queues a poll now: true if queued, false if one is queued or running; throws not-found. */
  pollNow(name: string): boolean;
  /**
   * A webhook named the repository: poll it soon (a burst is one poll; see Scheduler.nudge),
   * here or on the replica that holds it.
   */
  nudge(name: string): void;
  /** Counts a webhook received by the intake, by outcome. */
  observeHook?(provider: 'github' | 'gitlab', outcome: HookOutcome): void;
  /** Queues every delivery of an event again and wakes the delivery worker. */
  redeliver(eventId: string): Promise<DeliverySummary[]>;
  rateLimits(): readonly RateLimitSnapshot[];
  rateLimitFor(repo: RepositoryConfig): RateLimitSnapshot | undefined;
  reloadState(): ReloadState | undefined;
  /** Each `discovery` entry's state (absent: the daemon runs no discovery). */
  discovery?(): readonly DiscoveryEntryFacts[];
  /** Each API account's forecast and stretch (absent: no quota governor). */
  quota?(): readonly QuotaForecast[];
  renderMetrics(): Promise<{ contentType: string; body: string }>;
}
