import type { EpochMs } from './storage-types.js';

/** The last failed read of a discovery list (cleared by the next complete one). */
export interface DiscoveryReadFailure {
  readonly code: string;
  readonly message: string;
  readonly at: EpochMs;
  /** Failed reads in a row, this one included. */
  readonly count: number;
}

/**
 * What the leader last read for one `discovery` entry, kept so every replica (and the next
 * start) watches the same repositories. Storage keeps `repositories` as the JSON it is given:
 * what each one is, is the discovery layer's to read.
 */
export interface DiscoveryListRecord {
  /** The `discovery[].name`. */
  readonly entry: string;
  /** Whose list it is (provider, host and owner, see discoveryCacheKey); another = not this list. */
  readonly sourceKey: string;
  readonly repositories: readonly unknown[];
  /** The last complete read; absent while no read has completed. */
  readonly readAt?: EpochMs;
  readonly failure?: DiscoveryReadFailure;
  /** Bumped by every write: a write names the generation it read, so two writers cannot cross. */
  readonly generation: number;
}

/** A record to write: `generation` is the one read (undefined: there was none). */
export type DiscoveryListWrite = Omit<DiscoveryListRecord, 'generation'>;
