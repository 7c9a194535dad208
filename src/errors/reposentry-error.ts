/**
 * The one error family of RepoSentry. Every failure that leaves a module carries a stable `code`
 * (searchable in logs, mapped to an HTTP status by the API), a `retryable` flag and its `cause`.
 * Messages never contain secrets: callers build them from names, never from credentials.
 */
export const ERROR_CODES = [
  'config-invalid',
  'config-env-missing',
  'forge-unauthorized',
  'forge-not-found',
  'forge-rate-limited',
  'forge-unavailable',
  'forge-bad-response',
  'git-command-failed',
  'git-timeout',
  'delivery-rejected',
  'delivery-failed',
  'storage-failed',
  'storage-corrupt',
  'storage-busy',
  'storage-locked',
  'not-found',
  'conflict',
  'bad-request',
  'unauthorized',
  'forbidden',
  'method-not-allowed',
  'payload-too-large',
  'too-many-requests',
  'not-ready',
  'shutting-down',
  'cancelled',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ReposentryErrorOptions {
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

export class ReposentryError extends Error {
  override readonly name: string = 'ReposentryError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ReposentryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Raised when a remote says "slow down"; `resetAt` is when the caller may try again. */
export class RateLimitError extends ReposentryError {
  override readonly name = 'RateLimitError';
  readonly resetAt: Date;

  constructor(message: string, resetAt: Date, options: { cause?: unknown } = {}) {
    super('forge-rate-limited', message, { retryable: true, ...options });
    this.resetAt = resetAt;
  }
}

export function isReposentryError(err: unknown): err is ReposentryError {
  return err instanceof ReposentryError;
}

/** The code of any thrown value: ours when it is ours, `internal` otherwise. */
export function errorCodeOf(err: unknown): ErrorCode {
  return isReposentryError(err) ? err.code : 'internal';
}

/** A one-line message for any thrown value, safe to log after redaction. */
export function errorMessageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
