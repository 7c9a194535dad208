import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReposentryError } from '../errors/reposentry-error.js';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import {
  makeEvent,
  recordEvent,
  sha,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';
import { RetentionPruner } from './retention-pruner.js';

const DAY = 86_400_000;

describe('RetentionPruner', () => {
  const temp = useTempStorage();
  afterEach(() => {
    vi.useRealTimers();
  });

  function deliveredEventAt(i: number, at: number): void {
    recordEvent(temp.storage, makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 1), at));
    const [claimed] = temp.storage.sync.deliveries.claimDue(at, 1);
    temp.storage.sync.deliveries.markDelivered(claimed!.delivery.id, at);
  }

  it('prunes at start, then on its interval, and stops cleanly', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(40 * DAY);
    deliveredEventAt(1, 1 * DAY); // older than 30 days at start
    deliveredEventAt(2, 15 * DAY); // becomes older after the clock moves 10 days
    const log = createCaptureLogger();
    const pruner = new RetentionPruner({
      storage: temp.storage,
      retentionMs: 30 * DAY,
      intervalMs: DAY,
      log: log.log,
    });

    await pruner.start();
    expect(temp.storage.sync.events.count()).toBe(1);
    expect(pruner.health()).toMatchObject({
      status: 'healthy',
      details: { lastPruned: { events: 1 } },
    });

    vi.setSystemTime(50 * DAY);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(temp.storage.sync.events.count()).toBe(0);

    await pruner.stop(new AbortController().signal);
    deliveredEventAt(3, 1 * DAY);
    await vi.advanceTimersByTimeAsync(5 * DAY);
    expect(temp.storage.sync.events.count()).toBe(1);
    expect(log.entries().filter((e) => e.message === 'Retention pruned events')).toHaveLength(2);
  });

  it('logs a failed run with its code, reports degraded, and still starts', async () => {
    const log = createCaptureLogger();
    const failing = {
      pruneBatch: () => {
        throw new ReposentryError('storage-busy', 'locked');
      },
    };
    const pruner = new RetentionPruner({ storage: failing, retentionMs: DAY, log: log.log });
    await pruner.start();
    expect(pruner.health().status).toBe('degraded');
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ message: 'Retention prune failed', code: 'storage-busy' }),
    );
    await pruner.stop(new AbortController().signal);
  });
});
