import { describe, expect, it } from 'vitest';
import {
  makeEvent,
  recordEvent,
  sha,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';

// pruneBatch, what every engine offers, is tested through `Storage` in test/storage/contract/;
// pruneOlderThan is SQLite's own loop over it (no caller of `Storage` has it).
describe('SqliteStores.pruneOlderThan', () => {
  const temp = useTempStorage();

  it('works through many events in bounded batches', async () => {
    for (let i = 1; i <= 25; i++) {
      await recordEvent(temp.storage, makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 1000), i));
    }
    for (const { delivery } of temp.storage.sync.deliveries.claimDue(1_000, 25)) {
      temp.storage.sync.deliveries.recordAttempt(delivery.id, {
        attempt: 1,
        startedAt: 1,
        latencyMs: 1,
      });
      temp.storage.sync.deliveries.markDelivered(delivery.id, 2);
    }
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
