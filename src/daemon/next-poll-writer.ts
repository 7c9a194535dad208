import { ReposentryError, errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { Storage } from '../storage/storage.js';
import type { EpochMs } from '../storage/storage-types.js';

/**
 * Persists the scheduler's next poll times (shown by the API) in batches: every time decided in
 * one turn of the event loop is written in one transaction on the next. At start-up the
 * scheduler decides one per repository at once; a commit each took 200 ms at 10,000. A time not
 * yet written when the daemon stops is lost harmlessly: the next start schedules afresh.
 */
export class NextPollWriter {
  private readonly pending = new Map<string, EpochMs>();
  private flushing: NodeJS.Immediate | undefined;
  /** The batch being written: the next one starts after it, so times land in decision order. */
  private writing: Promise<void> = Promise.resolve();
  /** Callers of `setAndWait` per repository, answered by the batch that carries its time. */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    private readonly storage: Pick<Storage, 'isOpen' | 'pollStates'>,
    private readonly log: Logger,
  ) {}

  set(repository: string, nextPollAt: EpochMs): void {
    this.pending.set(repository, nextPollAt);
    this.flushing ??= setImmediate(() => void this.flush());
  }

  /**
   * Sets a time and resolves once a batch carrying it is committed; rejects when that batch
   * fails (the time stays pending for the next one) or storage is closed.
   */
  setAndWait(repository: string, nextPollAt: EpochMs): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(repository) ?? [];
      waiters.push({ resolve, reject });
      this.waiting.set(repository, waiters);
      this.set(repository, nextPollAt);
    });
  }

  /** Writes what is pending now (after the batch being written, if any); never rejects. */
  flush(): Promise<void> {
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.flushing = undefined;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    if (!this.storage.isOpen) {
      this.settle(
        this.takeWaiters(this.pending.keys()),
        new ReposentryError('shutting-down', 'Storage is closed'),
      );
      return;
    }
    const batch = new Map(this.pending);
    this.pending.clear();
    // The callers waiting for THESE times: one who asks while the batch is written waits for
    // the batch that carries its own time.
    const waiters = this.takeWaiters(batch.keys());
    try {
      await this.storage.pollStates.setNextPollAts(batch);
      this.settle(waiters);
    } catch (err) {
      this.settle(waiters, err);
      // Kept for the next batch, unless a newer time was decided meanwhile.
      for (const [repository, at] of batch) {
        if (!this.pending.has(repository)) this.pending.set(repository, at);
      }
      this.log.warn('Could not record next poll times', {
        repositories: batch.size,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    }
  }

  private takeWaiters(repositories: Iterable<string>): Waiter[] {
    const taken: Waiter[] = [];
    for (const repository of repositories) {
      taken.push(...(this.waiting.get(repository) ?? []));
      this.waiting.delete(repository);
    }
    return taken;
  }

  private settle(waiters: readonly Waiter[], err?: unknown): void {
    for (const waiter of waiters) {
      if (err === undefined) waiter.resolve();
      else waiter.reject(err);
    }
  }
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}
