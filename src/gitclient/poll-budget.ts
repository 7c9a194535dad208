import { setTimeout as delay } from 'node:timers/promises';
import { ReposentryError } from '../errors/reposentry-error.js';
import { timeoutSignal } from '../lib/timeout-signal.js';

/**
 * The time one listing may take: a deadline plus the caller's AbortSignal. `signal` aborts at
 * whichever comes first, and every wait and request of the listing uses it, so nothing outlives
 * the poll. `abortError()` tells the two apart: the caller's cancel is `cancelled`, the deadline
 * is the `timeoutCode` of the part that ran out of time.
 */
export class PollBudget {
  readonly signal: AbortSignal;
  private readonly now: () => number;
  private readonly release: () => void;

  private constructor(
    readonly callerSignal: AbortSignal,
    readonly deadlineAt: number,
    now: () => number,
    bounded = true,
  ) {
    this.now = now;
    if (bounded) {
      const deadline = timeoutSignal(Math.max(0, deadlineAt - now()), callerSignal);
      this.signal = deadline.signal;
      this.release = deadline.dispose;
    } else {
      this.signal = callerSignal;
      this.release = () => undefined;
    }
  }

  /** A budget of `timeoutMs` from now, cancelled early by `signal`. */
  static start(signal: AbortSignal, timeoutMs: number, now: () => number = Date.now): PollBudget {
    return new PollBudget(signal, now() + timeoutMs, now);
  }

  /** A budget with no deadline of its own (a client used outside the poller): no timer. */
  static unbounded(signal: AbortSignal): PollBudget {
    return new PollBudget(signal, Number.POSITIVE_INFINITY, Date.now, false);
  }

  /** A sub-budget ending `ms` from now or at this budget's deadline, whichever is earlier. */
  slice(ms: number): PollBudget {
    return new PollBudget(this.callerSignal, Math.min(this.deadlineAt, this.now() + ms), this.now);
  }

  /**
   * Done with this budget: its deadline timer goes, and with it the last reference to the
   * listing's state (otherwise held until the deadline, up to polling.timeout after the poll).
   */
  dispose(): void {
    this.release();
  }

  remainingMs(): number {
    return Math.max(0, this.deadlineAt - this.now());
  }

  get cancelled(): boolean {
    return this.callerSignal.aborted;
  }

  get expired(): boolean {
    return this.signal.aborted || this.remainingMs() === 0;
  }

  /** The error for an aborted budget: `cancelled` when the caller cancelled, else a timeout. */
  abortError(what: string, timeoutCode: 'forge-unavailable' | 'git-timeout'): ReposentryError {
    if (this.callerSignal.aborted) return new ReposentryError('cancelled', `${what} was cancelled`);
    return new ReposentryError(timeoutCode, `${what} did not finish before the poll timeout`, {
      retryable: true,
    });
  }

  /** Sleeps `ms`, rejecting with `abortError` as soon as the budget is aborted. */
  async sleep(
    ms: number,
    what: string,
    timeoutCode: 'forge-unavailable' | 'git-timeout',
  ): Promise<void> {
    try {
      await delay(ms, undefined, { signal: this.signal });
    } catch {
      throw this.abortError(what, timeoutCode);
    }
  }

  /**
   * Settles with `promise`, or rejects with `abortError` as soon as the budget aborts (the SDK's
   * own retry delays do not watch the signal). The abandoned promise's rejection is swallowed.
   */
  race<T>(
    promise: Promise<T>,
    what: string,
    timeoutCode: 'forge-unavailable' | 'git-timeout',
  ): Promise<T> {
    if (this.signal.aborted) {
      promise.catch(() => undefined);
      return Promise.reject(this.abortError(what, timeoutCode));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(this.abortError(what, timeoutCode));
      this.signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}
