import { ReposentryError, isReposentryError } from '../../errors/reposentry-error.js';
import type { PostgresLocation } from './postgres-location.js';

/**
 * SQLSTATEs that mean "another transaction is in the way, or the server is too busy right now":
 * the same call may well succeed if tried again. Deadlock, serialization failure, lock timeout,
 * statement timeout (57014), too many connections, server starting up.
 */
const BUSY = new Set(['40001', '40P01', '55P03', '57014', '53300', '57P03']);
/** SQLSTATEs of a damaged database. */
const CORRUPT = new Set(['XX001', 'XX002']);
/** Socket errors of an unreachable or vanished server. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** What pg-pool throws when no connection frees up within the connect timeout. */
const POOL_EXHAUSTED = 'timeout exceeded when trying to connect';

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** Connection exceptions (class 08), an administrator's shutdown, or a socket that broke. */
function isConnectionLoss(code: string | undefined, message: string): boolean {
  if (code !== undefined) {
    if (code.startsWith('08') || code === '57P01' || code === '57P02') return true;
    if (UNREACHABLE.has(code)) return true;
  }
  return (
    /^Connection terminated/.test(message) ||
    message === 'Client has encountered a connection error and is not queryable'
  );
}

/**
 * The one place where pg errors become ours: lock contention, timeouts and an exhausted pool are
 * `storage-busy` (retryable), a damaged database `storage-corrupt`, a lost or refused connection
 * `storage-failed` (retryable), anything else `storage-failed`. Messages name the database
 * without its credentials and are scrubbed of them (a driver message never carries a bound
 * value's secret, but the check costs nothing).
 */
export function mapPostgresError(err: unknown, location: PostgresLocation): ReposentryError {
  if (isReposentryError(err)) return err;
  const code = codeOf(err);
  const message = location.scrub(err instanceof Error ? err.message : String(err));
  const suffix = code === undefined ? '' : ` (${code})`;
  if ((code !== undefined && BUSY.has(code)) || message === POOL_EXHAUSTED) {
    return new ReposentryError(
      'storage-busy',
      `Database ${location.text} is busy: ${message}${suffix}; try again`,
      { retryable: true, cause: err },
    );
  }
  if (code !== undefined && CORRUPT.has(code)) {
    return new ReposentryError(
      'storage-corrupt',
      `Database ${location.text} is damaged: ${message}${suffix}`,
      { cause: err },
    );
  }
  if (isConnectionLoss(code, message)) {
    return new ReposentryError(
      'storage-failed',
      `Database ${location.text} is unreachable: ${message}${suffix}`,
      { retryable: true, cause: err },
    );
  }
  return new ReposentryError('storage-failed', `Database ${location.text}: ${message}${suffix}`, {
    cause: err,
  });
}
