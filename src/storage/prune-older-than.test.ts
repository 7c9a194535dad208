import { describe, expect, it } from 'vitest';
import {
  makeEvent,
  recordEvent,
  sha,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';

describe('Storage.pruneOlderThan', () => {
  const temp = useTempStorage();

  /** Event i on its own branch, detected at i ms, with one delivery finished per `finish`. */
  function seed(
    count: number,
    finish: (i: number) => 'delivered' | 'failed' | 'pending' | 'in_flight',
  ): void {
    for (let i = 1; i <= count; i++) {
      recordEvent(temp.storage, makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 1000), i));
    }
    const claimed = temp.storage.sync.deliveries.claimDue(Number.MAX_SAFE_INTEGER, count);
    for (const { delivery, event } of claimed) {
      const outcome = finish(event.detectedAt.getTime());
      if (outcome === 'in_flight') continue;
      temp.storage.sync.deliveries.recordAttempt(delivery.id, {
        attempt: 1,
        startedAt: 1,
        latencyMs: 1,
      });
      if (outcome === 'delivered') temp.storage.sync.deliveries.markDelivered(delivery.id, 2);
      if (outcome === 'failed')
        temp.storage.sync.deliveries.markFailed(delivery.id, 'HTTP 400', 400);
      if (outcome === 'pending')
        temp.storage.sync.deliveries.scheduleRetry(delivery.id, 10, 'HTTP 503', 503);
    }
  }

  it('deletes finished events before the cutoff with their deliveries and attempts', () => {
    seed(10, (i) => (i % 2 === 0 ? 'delivered' : 'failed'));
    const counts = temp.storage.sync.pruneOlderThan(7);
    expect(counts).toEqual({ events: 6, deliveries: 6, attempts: 6 });
    expect(temp.storage.sync.events.count()).toBe(4);
    expect(
      temp.storage.sync.events.list({ limit: 100 }).events.map((e) => e.detectedAt.getTime()),
    ).toEqual([10, 9, 8, 7]);
    expect(temp.storage.sync.deliveries.countByStatus()).toEqual({
      pending: 0,
      in_flight: 0,
      delivered: 2,
      failed: 2,
    });
  });

  it('keeps old events whose deliveries are pending or in flight', () => {
    seed(
      4,
      (i) => (['pending', 'in_flight', 'delivered', 'failed'] as const)[i - 1] ?? 'delivered',
    );
    expect(temp.storage.sync.pruneOlderThan(100)).toEqual({
      events: 2,
      deliveries: 2,
      attempts: 2,
    });
    const kept = temp.storage.sync.events.list({ limit: 10 }).events;
    expect(kept.map((e) => e.detectedAt.getTime())).toEqual([2, 1]);
    expect(temp.storage.sync.deliveries.countByStatus()).toMatchObject({
      pending: 1,
      in_flight: 1,
    });
  });

  it('works through many events in bounded batches', () => {
    seed(25, () => 'delivered');
    expect(temp.storage.sync.pruneBatch(100, 10)).toEqual({
      events: 10,
      deliveries: 10,
      attempts: 10,
    });
    expect(temp.storage.sync.pruneOlderThan(100, 4)).toEqual({
      events: 15,
      deliveries: 15,
      attempts: 15,
    });
    expect(temp.storage.sync.events.count()).toBe(0);
  });
});
