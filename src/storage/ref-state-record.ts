import type { EpochMs } from './storage-types.js';

export interface RefSha {
  /** Full ref name: `refs/heads/main`, `refs/tags/v1.0`. */
  readonly ref: string;
  readonly sha: string;
}

export interface RefStateRecord extends RefSha {
  /** When this ref was first recorded. */
  readonly seenAt: EpochMs;
  /** When its sha last changed (equal to `seenAt` until then). */
  readonly updatedAt: EpochMs;
}
