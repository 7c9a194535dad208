import { describe, expect, it } from 'vitest';
import { RARE_STATUS_LIMIT } from '../../../src/storage/event-store.js';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { BASELINED, makeEvent, REPO, sha, TARGET } from '../storage-fixtures.js';

/** More events than SQLite lists by their deliveries' status (so both of its ways run). */
const TOTAL = RARE_STATUS_LIMIT + 20;
/** When the deliveries of the events that fail are due; every other one is due much later. */
const DUE_SOON = 1_000;

describe.each(STORAGE_ENGINES)('Storage.events with a large history on %s', (engine) => {
  const under = useStorage(engine);

  /**
   * Records TOTAL events (event n, 1-based, on its own branch), each with one delivery, and fails
   * the deliveries of the events numbered in `failing`. Resolves to every event's seq, by number.
   */
  async function recordHistory(failing: readonly number[]): Promise<Map<number, number>> {
    await under.storage.repositories.track(REPO);
    // One poll per run of events due alike: deliveries are due when their poll was.
    const runs: { from: number; to: number; polledAt: number }[] = [];
    for (let n = 1; n <= TOTAL; n++) {
      const polledAt = failing.includes(n) ? DUE_SOON : 1_000_000;
      const last = runs.at(-1);
      if (last?.polledAt === polledAt) last.to = n;
      else runs.push({ from: n, to: n, polledAt });
    }
    const ids = new Map<number, string>();
    for (const { from, to, polledAt } of runs) {
      const events = Array.from({ length: to - from + 1 }, (_, i) => {
        const n = from + i;
        return makeEvent(`refs/heads/b${n}`, sha(n), sha(n + TOTAL), 1_000 + n);
      });
      for (const [i, event] of events.entries()) ids.set(from + i, event.id);
      await under.storage.recordPoll({
        repository: REPO,
        refs: { upsert: [], remove: [] },
        events,
        targets: [TARGET],
        pollState: { polledAt, nextPollAt: polledAt + 1_000, via: 'api', baselined: BASELINED },
      });
    }
    const claimed = await under.storage.deliveries.claimDue(DUE_SOON, failing.length + 1);
    expect(claimed.map((c) => c.event.id)).toEqual(failing.map((n) => ids.get(n)));
    for (const { delivery } of claimed) {
      await under.storage.deliveries.markFailed(delivery.id, 'HTTP 400', 400);
    }
    const seqs = new Map<number, number>();
    for (const n of [...failing, TOTAL - 5, TOTAL - 4, TOTAL - 3, TOTAL - 2, TOTAL - 1, TOTAL]) {
      const event = await under.storage.events.get(ids.get(n)!);
      seqs.set(n, event!.seq);
    }
    return seqs;
  }

  it('lists the events of a rare delivery status from their deliveries, newest first', async () => {
    // The oldest, one in the middle and the newest delivery failed.
    const seqs = await recordHistory([1, 2_000, TOTAL]);
    const page = await under.storage.events.list({ status: 'failed', limit: 2 });
    expect(page.events.map((e) => e.seq)).toEqual([seqs.get(TOTAL), seqs.get(2_000)]);
    expect(page.nextCursor).toBeDefined();
    const rest = await under.storage.events.list({
      status: 'failed',
      limit: 2,
      cursor: page.nextCursor,
    });
    expect(rest.events.map((e) => e.seq)).toEqual([seqs.get(1)]);
    expect(rest.nextCursor).toBeUndefined();
    const delivered = await under.storage.events.list({ status: 'delivered', limit: 10 });
    expect(delivered.events).toEqual([]);
  });

  it('pages through a common delivery status newest first', async () => {
    const seqs = await recordHistory([TOTAL]);
    const page = await under.storage.events.list({ status: 'pending', limit: 3 });
    expect(page.events.map((e) => e.seq)).toEqual([1, 2, 3].map((back) => seqs.get(TOTAL - back)));
    expect(page.events[0]?.deliveryCounts).toEqual({
      pending: 1,
      in_flight: 0,
      delivered: 0,
      failed: 0,
    });
    const next = await under.storage.events.list({
      status: 'pending',
      limit: 2,
      cursor: page.nextCursor,
    });
    expect(next.events.map((e) => e.seq)).toEqual([4, 5].map((back) => seqs.get(TOTAL - back)));
  });
});
