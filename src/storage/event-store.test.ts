import { beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../events/change-event.js';
import {
  BASELINED,
  makeEvent,
  numberEvents,
  REPO,
  sha,
  TARGET,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';
import { encodeEventCursor } from './event-cursor.js';
import type { EventQuery } from './event-store.js';
import type { SqliteStorage } from './sqlite-storage.js';

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

function insertEvents(storage: SqliteStorage, from: number, to: number): ChangeEvent[] {
  const unnumbered: ChangeEvent[] = [];
  for (let i = from; i < to; i++) unnumbered.push(eventNumber(i));
  const events = numberEvents(storage, unnumbered);
  for (const repository of [REPO, OTHER]) {
    storage.sync.repositories.track(repository);
    storage.sync.recordPoll({
      repository,
      refs: { upsert: [], remove: [] },
      events: events.filter((e) => e.repository.name === repository.name),
      targets: [TARGET],
      pollState: { polledAt: to * 1_000, nextPollAt: 0, via: 'api', baselined: BASELINED },
    });
  }
  return events;
}

describe('EventStore', () => {
  const temp = useTempStorage();
  let original: ChangeEvent[];
  beforeEach(() => {
    original = insertEvents(temp.storage, 0, 1_000);
  });

  function collect(
    query: Omit<EventQuery, 'cursor'>,
    duringPaging?: (page: number) => void,
  ): string[] {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const result = temp.storage.sync.events.list({ ...query, cursor });
      ids.push(...result.events.map((e) => e.id));
      duringPaging?.(page);
      if (result.nextCursor === undefined) return ids;
      cursor = result.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  it('pages through 1,000 events newest first, unaffected by events inserted meanwhile', () => {
    let inserted: ChangeEvent[] = [];
    const seen = collect({ limit: 70 }, (page) => {
      if (page === 3) inserted = insertEvents(temp.storage, 1_000, 1_050);
    });
    const expected = original
      .map((e) => temp.storage.sync.events.get(e.id)!)
      .sort((a, b) => b.seq - a.seq);
    expect(seen).toEqual(expected.map((e) => e.id));
    expect(seen).toHaveLength(1_000);
    expect(new Set(seen).size).toBe(1_000);
    expect(inserted).toHaveLength(50);
    expect(temp.storage.sync.events.count()).toBe(1_050);
    // The first page now starts with the newer events.
    const first = temp.storage.sync.events.list({ limit: 1 }).events[0];
    expect(inserted.map((e) => e.id)).toContain(first?.id);
  });

  it('filters by repository, ref, type and since across pages', () => {
    const matches = (e: ChangeEvent): boolean =>
      e.repository.name === OTHER.name &&
      e.ref === 'refs/tags/v1' &&
      e.detectedAt.getTime() >= 400_000;
    const seen = collect({
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
    expect(collect({ type: 'branch.created', limit: 100 })).toEqual([]);
  });

  it('filters by delivery status and reports delivery counts per event', () => {
    const claimed = temp.storage.sync.deliveries.claimDue(Number.MAX_SAFE_INTEGER, 5);
    for (const { delivery } of claimed) temp.storage.sync.deliveries.markDelivered(delivery.id, 1);
    const delivered = temp.storage.sync.events.list({ status: 'delivered', limit: 100 });
    expect(delivered.events.map((e) => e.id).sort()).toEqual(claimed.map((c) => c.event.id).sort());
    expect(delivered.nextCursor).toBeUndefined();
    expect(delivered.events[0]?.deliveryCounts).toEqual({
      pending: 0,
      in_flight: 0,
      delivered: 1,
      failed: 0,
    });
  });

  it('rejects a malformed cursor or limit as bad-request', () => {
    for (const cursor of [
      '',
      'abc',
      '!!!!',
      encodeEventCursor(0),
      Buffer.from('12x').toString('base64url'),
      'MTI=',
    ]) {
      expect(() => temp.storage.sync.events.list({ limit: 10, cursor }), cursor).toThrow(
        expect.objectContaining({ code: 'bad-request' }),
      );
    }
    for (const limit of [0, -1, 1.5, 1_001]) {
      expect(() => temp.storage.sync.events.list({ limit })).toThrow(
        expect.objectContaining({ code: 'bad-request' }),
      );
    }
  });

  it('lists events after a seq, oldest first, for stream resume', () => {
    const latest = temp.storage.sync.events.latestSeq();
    const tail = temp.storage.sync.events.listAfter(latest - 3, 10);
    expect(tail.map((e) => e.seq)).toEqual([latest - 2, latest - 1, latest]);
  });
});
