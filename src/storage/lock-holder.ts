import { hostname } from 'node:os';
import type { EpochMs } from './storage-types.js';

/** Who holds the writer lock of a database (recorded in its writer_lock table). */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The command that took it: `run`, `poll --once --trigger`, `demo`. */
  readonly command: string;
  readonly acquiredAt: EpochMs;
}

/** This process as a lock holder. */
export function currentHolder(command: string, at: EpochMs): LockHolder {
  return { pid: process.pid, host: hostname(), command, acquiredAt: at };
}

/** The holder as a refused process names it; undefined when it has not recorded itself. */
export function describeHolder(holder: LockHolder | undefined): string {
  return holder === undefined
    ? 'another RepoSentry process (it has not recorded itself yet)'
    : `RepoSentry \`${holder.command}\`, pid ${holder.pid} on host ${holder.host}, since ` +
        new Date(holder.acquiredAt).toISOString();
}
