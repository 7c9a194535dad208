import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetentionPruner } from '../../../src/storage/retention-pruner.js';
import { createCaptureLogger } from '../../helpers/capture-logger.js';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { makeEvent, recordEvent, sha } from '../storage-fixtures.js';

const DAY = 86_400_000;
type Outcome = 'delivered' | 'failed' | 'pending' | 'in_flight';

describe.each(STORAGE_ENGINES)('Storage.pruneBatch on %s', (engine) => {
  const under = useStorage(engine);

  /** Event i on its own branch, detected at i ms, with its one delivery finished per `finish`. */
  async function seed(count: number, finish: (i: number) => Outcome): Promise<void> {
    const { storage } = under;
    for (let i = 1; i <= count; i++) {
      await recordEvent(storage, makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 1000), i));
    }
    const claimed = await storage.deliveries.claimDue(Number.MAX_SAFE_INTEGER, count);
    expect(claimed).toHaveLength(count);
    for (const { delivery, event } of claimed) {
      const outcome = finish(event.detectedAt.getTime());
      if (outcome === 'in_flight') continue;
      await storage.deliveries.recordAttempt(delivery.id, {
        attempt: 1,
        startedAt: 1,
        latencyMs: 1,
      });
      if (outcome === 'delivered') await storage.deliveries.markDelivered(delivery.id, 2);
      if (outcome === 'failed') await storage.deliveries.markFailed(delivery.id, 'HTTP 400', 400);
      if (outcome === 'pending') {
        await storage.deliveries.scheduleRetry(delivery.id, 10, 'HTTP 503', 503);
      }
    }
  }

  it('deletes finished events before the cutoff with their deliveries and attempts', async () => {
    await seed(10, (i) => (i % 2 === 0 ? 'delivered' : 'failed'));
    expect(await under.storage.pruneBatch(7, 500)).toEqual({
      events: 6,
      deliveries: 6,
      attempts: 6,
    });
    expect(await under.storage.pruneBatch(7, 500)).toEqual({
      events: 0,
      deliveries: 0,
      attempts: 0,
    });
    expect(await under.storage.events.count()).toBe(4);
    const { events } = await under.storage.events.list({ limit: 100 });
    expect(events.map((e) => e.detectedAt.getTime())).toEqual([10, 9, 8, 7]);
    expect(await under.storage.deliveries.countByStatus()).toEqual({
      pending: 0,
      in_flight: 0,
      delivered: 2,
      failed: 2,
    });
  });

  it('keeps old events whose deliveries are pending or in flight', async () => {
    const outcomes = ['pending', 'in_flight', 'delivered', 'failed'] as const;
    await seed(4, (i) => outcomes[i - 1] ?? 'delivered');
    expect(await under.storage.pruneBatch(100, 500)).toEqual({
      events: 2,
      deliveries: 2,
      attempts: 2,
    });
    const kept = (await under.storage.events.list({ limit: 10 })).events;
    expect(kept.map((e) => e.detectedAt.getTime())).toEqual([2, 1]);
    expect(await under.storage.deliveries.countByStatus()).toMatchObject({
      pending: 1,
      in_flight: 1,
    });
  });

  it('works through many events in bounded batches', async () => {
    await seed(25, () => 'delivered');
    expect(await under.storage.pruneBatch(100, 10)).toEqual({
      events: 10,
      deliveries: 10,
      attempts: 10,
    });
    const batches = [];
    for (;;) {
      const counts = await under.storage.pruneBatch(100, 4);
      batches.push(counts);
      if (counts.events < 4) break;
    }
    const four = { events: 4, deliveries: 4, attempts: 4 };
    expect(batches).toEqual([four, four, four, { events: 3, deliveries: 3, attempts: 3 }]);
    expect(await under.storage.events.count()).toBe(0);
  });
});

describe.each(STORAGE_ENGINES)('RetentionPruner on %s', (engine) => {
  const under = useStorage(engine);
  afterEach(() => {
    vi.useRealTimers();
  });

  async function deliveredEventAt(i: number, at: number): Promise<void> {
    await recordEvent(under.storage, makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 1), at));
    const [claimed] = await under.storage.deliveries.claimDue(at, 1);
    await under.storage.deliveries.markDelivered(claimed!.delivery.id, at);
  }

  it('prunes at start, then on its interval, and stops cleanly', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(40 * DAY);
    await deliveredEventAt(1, 1 * DAY); // older than 30 days at start
    await deliveredEventAt(2, 15 * DAY); // becomes older after the clock moves 10 days
    const log = createCaptureLogger();
    const pruned = (): number =>
      log.entries().filter((e) => e.message === 'Retention pruned events').length;
    const pruner = new RetentionPruner({
      storage: under.storage,
      retentionMs: 30 * DAY,
      intervalMs: DAY,
      log: log.log,
    });

    await pruner.start();
    expect(await under.storage.events.count()).toBe(1);
    expect(pruner.health()).toMatchObject({
      status: 'healthy',
      details: { lastPruned: { events: 1 } },
    });

    vi.setSystemTime(50 * DAY);
    await vi.advanceTimersByTimeAsync(DAY);
    // The run the interval started may still wait for the database.
    await vi.waitFor(() => expect(pruned()).toBe(2), { timeout: 10_000 });
    expect(await under.storage.events.count()).toBe(0);

    await pruner.stop(new AbortController().signal);
    await deliveredEventAt(3, 1 * DAY);
    await vi.advanceTimersByTimeAsync(5 * DAY);
    // Stopping again waits for any run the timer would (wrongly) have started.
    await pruner.stop(new AbortController().signal);
    expect(await under.storage.events.count()).toBe(1);
    expect(pruned()).toBe(2);
  });
});
