import type { RepositoryConfig } from '../config/config-types.js';
import type { ErrorCode } from '../errors/reposentry-error.js';
import type { ChangeEvent } from '../events/change-event.js';
import type { RefCost, RefSource } from '../gitclient/index.js';

/** What one poll of one repository did; feeds logs, metrics and `reposentry poll --once`. */
export interface PollReport {
  readonly repository: string;
  readonly provider: RepositoryConfig['provider'];
  readonly ok: boolean;
  readonly durationMs: number;
  readonly via?: RefSource;
  readonly unchanged?: boolean;
  /** Refs the listing returned (before the repository's regexes). */
  readonly refsListed?: number;
  readonly fallbackReason?: ErrorCode;
  readonly cost?: RefCost;
  /** Transitions detected (recorded ones when `record`, would-be ones otherwise). */
  readonly events: readonly ChangeEvent[];
  /** Of `events`, those that were new and got deliveries (when recorded). */
  readonly newEvents: readonly ChangeEvent[];
  readonly code?: ErrorCode;
  readonly error?: string;
}
