import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  makeEvent,
  makeTempDir,
  openStorage,
  recordEvent,
  sha,
} from '../../test/storage/storage-fixtures.js';
import type { Storage } from './storage.js';

describe('Storage.pruneOlderThan', () => {
  let dir: string;
  let cleanup: () => void;
  let storage: Storage;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
    storage = openStorage(dir);
  });
  afterEach(() => {
    storage.close();
    cleanup();
  });

  /** Event i on its own branch, detected at i ms, with one delivery finished per `finish`. */
  function seed(
    count: number,
    finish: (i: number) => 'delivered' | 'failed' | 'pending' | 'in_flight',
  ): void {
    for (let i = 1; i <= count; i++) {
      recordEvent(storage, makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 1000), i));
    }
    const claimed = storage.deliveries.claimDue(Number.MAX_SAFE_INTEGER, count);
    for (const { delivery, event } of claimed) {
      const outcome = finish(event.detectedAt.getTime());
      if (outcome === 'in_flight') continue;
      storage.deliveries.recordAttempt(delivery.id, { attempt: 1, startedAt: 1, latencyMs: 1 });
      if (outcome === 'delivered') storage.deliveries.markDelivered(delivery.id, 2);
      if (outcome === 'failed') storage.deliveries.markFailed(delivery.id, 'HTTP 400', 400);
      if (outcome === 'pending') storage.deliveries.scheduleRetry(delivery.id, 10, 'HTTP 503', 503);
    }
  }

  it('deletes finished events before the cutoff with their deliveries and attempts', () => {
    seed(10, (i) => (i % 2 === 0 ? 'delivered' : 'failed'));
    const counts = storage.pruneOlderThan(7);
    expect(counts).toEqual({ events: 6, deliveries: 6, attempts: 6 });
    expect(storage.events.count()).toBe(4);
    expect(storage.events.list({ limit: 100 }).events.map((e) => e.detectedAt.getTime())).toEqual([
      10, 9, 8, 7,
    ]);
    expect(storage.deliveries.countByStatus()).toEqual({
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
    expect(storage.pruneOlderThan(100)).toEqual({ events: 2, deliveries: 2, attempts: 2 });
    const kept = storage.events.list({ limit: 10 }).events;
    expect(kept.map((e) => e.detectedAt.getTime())).toEqual([2, 1]);
    expect(storage.deliveries.countByStatus()).toMatchObject({ pending: 1, in_flight: 1 });
  });

  it('works through many events in bounded batches', () => {
    seed(25, () => 'delivered');
    expect(storage.pruneBatch(100, 10)).toEqual({ events: 10, deliveries: 10, attempts: 10 });
    expect(storage.pruneOlderThan(100, 4)).toEqual({ events: 15, deliveries: 15, attempts: 15 });
    expect(storage.events.count()).toBe(0);
  });
});
