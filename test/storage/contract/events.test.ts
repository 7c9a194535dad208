import { beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/events/change-event.js';
import { encodeEventCursor } from '../../../src/storage/event-cursor.js';
import type { EventQuery } from '../../../src/storage/event-query.js';
import type { Storage } from '../../../src/storage/storage.js';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { BASELINED, makeEvent, numberEvents, REPO, sha, TARGET } from '../storage-fixtures.js';

const OTHER = {
  name: 'other-app',
  provider: 'gitlab',
  url: 'https://gitlab.test/g/other',
} as const;
const REFS = ['refs/heads/main', 'refs/heads/dev', 'refs/tags/v1'] as const;

/** Event i: repository by i % 5 (2 of 5 are OTHER), ref by i % 3, detected at i seconds. */
function eventNumber(i: number): ChangeEvent {
  const ref = REFS[i % 3] ?? 'refs/heads/main';
  return makeEvent(ref, sha(i), sha(i + 1), i * 1_000, i % 5 < 2 ? OTHER : REPO);
}

/** Events `from` to `to` (excluded), recorded by one poll per repository. */
async function insertEvents(storage: Storage, from: number, to: number): Promise<ChangeEvent[]> {
  const unnumbered: ChangeEvent[] = [];
  for (let i = from; i < to; i++) unnumbered.push(eventNumber(i));
  const events = await numberEvents(storage, unnumbered);
  for (const repository of [REPO, OTHER]) {
    await storage.repositories.track(repository);
    await storage.recordPoll({
      repository,
      refs: { upsert: [], remove: [] },
      events: events.filter((e) => e.repository.name === repository.name),
      targets: [TARGET],
      pollState: { polledAt: to * 1_000, nextPollAt: 0, via: 'api', baselined: BASELINED },
    });
  }
  return events;
}

describe.each(STORAGE_ENGINES)('Storage.events on %s', (engine) => {
  const under = useStorage(engine);
  let original: ChangeEvent[];
  beforeEach(async () => {
    original = await insertEvents(under.storage, 0, 1_000);
  });

  async function collect(
    query: Omit<EventQuery, 'cursor'>,
    duringPaging?: (page: number) => Promise<void>,
  ): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const result = await under.storage.events.list({ ...query, cursor });
      ids.push(...result.events.map((e) => e.id));
      await duringPaging?.(page);
      if (result.nextCursor === undefined) return ids;
      cursor = result.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  it('pages through 1,000 events newest first, unaffected by events inserted meanwhile', async () => {
    let inserted: ChangeEvent[] = [];
    const seen = await collect({ limit: 70 }, async (page) => {
      if (page === 3) inserted = await insertEvents(under.storage, 1_000, 1_050);
    });
    const stored = await Promise.all(original.map((e) => under.storage.events.get(e.id)));
    const expected = stored.map((e) => e!).sort((a, b) => b.seq - a.seq);
    expect(seen).toEqual(expected.map((e) => e.id));
    expect(seen).toHaveLength(1_000);
    expect(new Set(seen).size).toBe(1_000);
    expect(inserted).toHaveLength(50);
    expect(await under.storage.events.count()).toBe(1_050);
    // The first page now starts with the newer events.
    const [first] = (await under.storage.events.list({ limit: 1 })).events;
    expect(inserted.map((e) => e.id)).toContain(first?.id);
  });

  it('filters by repository, ref, type and since across pages', async () => {
    const matches = (e: ChangeEvent): boolean =>
      e.repository.name === OTHER.name &&
      e.ref === 'refs/tags/v1' &&
      e.detectedAt.getTime() >= 400_000;
    const seen = await collect({
      repository: OTHER.name,
      ref: 'refs/tags/v1',
      type: 'tag.updated',
      since: 400_000,
      limit: 9,
    });
    const expected = original
      .filter(matches)
      .map((e) => e.id)
      .reverse();
    expect(expected.length).toBeGreaterThan(50);
    expect(seen).toEqual(expected);
    expect(await collect({ type: 'branch.created', limit: 100 })).toEqual([]);
  });

  it('filters by delivery status and reports delivery counts per event', async () => {
    const claimed = await under.storage.deliveries.claimDue(Number.MAX_SAFE_INTEGER, 5);
    expect(claimed).toHaveLength(5);
    for (const { delivery } of claimed) {
      await under.storage.deliveries.markDelivered(delivery.id, 1);
    }
    const delivered = await under.storage.events.list({ status: 'delivered', limit: 100 });
    expect(delivered.events.map((e) => e.id).sort()).toEqual(claimed.map((c) => c.event.id).sort());
    expect(delivered.nextCursor).toBeUndefined();
    expect(delivered.events[0]?.deliveryCounts).toEqual({
      pending: 0,
      in_flight: 0,
      delivered: 1,
      failed: 0,
    });
  });

  it('rejects a malformed cursor or limit as bad-request', async () => {
    for (const cursor of [
      '',
      'abc',
      '!!!!',
      encodeEventCursor(0),
      Buffer.from('12x').toString('base64url'),
      'MTI=',
    ]) {
      await expect(under.storage.events.list({ limit: 10, cursor }), cursor).rejects.toMatchObject({
        code: 'bad-request',
      });
    }
    for (const limit of [0, -1, 1.5, 1_001]) {
      await expect(under.storage.events.list({ limit }), String(limit)).rejects.toMatchObject({
        code: 'bad-request',
      });
    }
  });

  it('lists events after a seq, oldest first, for stream resume', async () => {
    const newest = (await under.storage.events.list({ limit: 4 })).events.map((e) => e.seq);
    expect(newest).toHaveLength(4);
    const [latest, second, third, fourth] = newest;
    expect(await under.storage.events.latestSeq()).toBe(latest);
    const tail = await under.storage.events.listAfter(fourth!, 10);
    expect(tail.map((e) => e.seq)).toEqual([third, second, latest]);
  });
});
