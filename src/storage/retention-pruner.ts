import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Config } from '../config/config-types.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import { addPruneCounts, NOTHING_PRUNED, type PruneCounts } from './prune-counts.js';
import type { Storage } from './storage.js';
import type { EpochMs } from './storage-types.js';

/** What the pruner needs of `Storage`. */
export type PrunableStorage = Pick<Storage, 'pruneBatch'>;

export interface RetentionPrunerOptions {
  readonly storage: PrunableStorage;
  /** storage.retention */
  readonly retentionMs: number;
  readonly log: Logger;
  /** Default one hour. */
  readonly intervalMs?: number;
  /** Events per transaction; default 500. */
  readonly batchSize?: number;
  readonly now?: () => EpochMs;
  /**
   * Whether this process does the pruning (default: always). Replicas prune only on the leader:
   * work for one replica, under its advisory lock.
   */
  readonly leads?: () => boolean;
}

/**
 * Prunes events (with their deliveries and attempts) older than the retention once at start and
 * then on an unref'd timer, one short transaction per batch with the event loop free between
 * batches. Undelivered events are never pruned. A failed run is logged and retried next time.
 */
export class RetentionPruner implements Component {
  readonly name = 'retention-pruner';
  private retentionMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PruneCounts> | undefined;
  private stopping = false;
  private lastRunAt: EpochMs | undefined;
  private lastPruned: PruneCounts | undefined;
  private lastErrorCode: string | undefined;

  constructor(private readonly options: RetentionPrunerOptions) {
    this.retentionMs = options.retentionMs;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.runOnce();
    if (this.stopping) return;
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  async stop(_signal?: AbortSignal): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** storage.retention changed on reload. */
  applyConfig(config: Config): void {
    this.retentionMs = config.storage.retentionMs;
  }

  /** Prunes now (joining a run already under way); never throws. */
  runOnce(): Promise<PruneCounts> {
    this.running ??= this.prune().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  health(): ComponentHealth {
    const details = {
      retentionMs: this.retentionMs,
      ...(this.lastRunAt === undefined
        ? {}
        : { lastRunAt: new Date(this.lastRunAt).toISOString() }),
      ...(this.lastPruned ? { lastPruned: this.lastPruned } : {}),
      ...(this.lastErrorCode ? { lastErrorCode: this.lastErrorCode } : {}),
    };
    if (this.lastErrorCode) {
      return { status: 'degraded', message: 'last retention run failed', details };
    }
    return { status: 'healthy', details };
  }

  private async prune(): Promise<PruneCounts> {
    if (this.options.leads?.() === false) return NOTHING_PRUNED;
    const now = (this.options.now ?? Date.now)();
    const cutoff = now - this.retentionMs;
    const batchSize = this.options.batchSize ?? 500;
    let total = NOTHING_PRUNED;
    try {
      for (;;) {
        const counts = await this.options.storage.pruneBatch(cutoff, batchSize);
        total = addPruneCounts(total, counts);
        if (counts.events < batchSize || this.stopping) break;
        await yieldToEventLoop();
      }
      this.lastErrorCode = undefined;
      if (total.events > 0) this.options.log.info('Retention pruned events', { ...total, cutoff });
    } catch (err) {
      this.lastErrorCode = errorCodeOf(err);
      this.options.log.warn('Retention prune failed', {
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    }
    this.lastRunAt = now;
    this.lastPruned = total;
    return total;
  }
}
