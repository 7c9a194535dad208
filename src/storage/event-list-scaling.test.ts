import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BASELINED,
  REPO,
  TARGET,
  makeEvent,
  sha,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';
import { queryPlan } from '../../test/storage/query-plan.js';
import { RARE_STATUS_LIMIT, STATUS_FILTER } from './event-store.js';

/** The query plan of an event list page filtered with `condition`, one step per line. */
function planOf(file: string, condition: string): string {
  return queryPlan(
    file,
    `SELECT e.id FROM events e WHERE ${condition} ORDER BY e.seq DESC LIMIT 51`,
    { status: 'failed', repository: REPO.name },
  );
}

describe('EventStore.list with a large history', () => {
  const temp = useTempStorage();
  const total = RARE_STATUS_LIMIT + 20;

  beforeEach(() => {
    temp.storage.sync.repositories.track(REPO);
    // One poll that saw `total` changes of as many refs: `total` events, each with a pending delivery.
    temp.storage.sync.recordPoll({
      repository: REPO,
      refs: { upsert: [], remove: [] },
      events: Array.from({ length: total }, (_, i) =>
        makeEvent(`refs/heads/b${i}`, sha(i), sha(i + total), 1_000 + i),
      ),
      targets: [TARGET],
      pollState: { polledAt: 1_000, nextPollAt: 2_000, via: 'api', baselined: BASELINED },
    });
  });

  /** Claims delivery `id` alone (every other one is made due later) and marks it failed. */
  function failDelivery(id: number): void {
    const db = new Database(path.join(temp.dir, 'reposentry.db'));
    try {
      db.prepare(`UPDATE deliveries SET next_attempt_at = 99999 WHERE id <> ?`).run(id);
      db.prepare(`UPDATE deliveries SET next_attempt_at = 10_000 WHERE id = ?`).run(id);
    } finally {
      db.close();
    }
    const [claimed] = temp.storage.sync.deliveries.claimDue(10_000, 1);
    expect(claimed?.delivery.id).toBe(id);
    temp.storage.sync.deliveries.markFailed(id, 'HTTP 400', 400);
  }

  it('lists the events of a rare delivery status from their deliveries, newest first', () => {
    // The oldest, one in the middle and the newest delivery failed.
    for (const id of [1, 2_000, total]) failDelivery(id);
    const page = temp.storage.sync.events.list({ status: 'failed', limit: 2 });
    expect(page.events.map((e) => e.seq)).toEqual([total, 2_000]);
    expect(page.nextCursor).toBeDefined();
    const rest = temp.storage.sync.events.list({
      status: 'failed',
      limit: 2,
      cursor: page.nextCursor,
    });
    expect(rest.events.map((e) => e.seq)).toEqual([1]);
    expect(rest.nextCursor).toBeUndefined();
    expect(temp.storage.sync.events.list({ status: 'delivered', limit: 10 }).events).toEqual([]);
  });

  it('pages through a common delivery status newest first', () => {
    failDelivery(total);
    const page = temp.storage.sync.events.list({ status: 'pending', limit: 3 });
    expect(page.events.map((e) => e.seq)).toEqual([total - 1, total - 2, total - 3]);
    expect(page.events[0]?.deliveryCounts).toEqual({
      pending: 1,
      in_flight: 0,
      delivered: 0,
      failed: 0,
    });
    const next = temp.storage.sync.events.list({
      status: 'pending',
      limit: 2,
      cursor: page.nextCursor,
    });
    expect(next.events.map((e) => e.seq)).toEqual([total - 4, total - 5]);
  });

  it('reads one page of a repository from its index instead of sorting all its events', () => {
    const plan = planOf(path.join(temp.dir, 'reposentry.db'), 'e.repository = @repository');
    expect(plan).toContain('USING INDEX events_repository_seq (repository=?)');
    expect(plan).not.toContain('TEMP B-TREE');
    const page = temp.storage.sync.events.list({ repository: REPO.name, limit: 2 });
    expect(page.events.map((e) => e.seq)).toEqual([total, total - 1]);
  });

  it('never scans every event for a rare status, nor every delivery of a status per event', () => {
    const file = path.join(temp.dir, 'reposentry.db');
    const rare = planOf(file, STATUS_FILTER.rare);
    expect(rare).toMatch(/SEARCH e USING (COVERING )?INDEX sqlite_autoindex_events_1 \(id=\?\)/);
    expect(rare).not.toMatch(/^SCAN e$/m);
    const common = planOf(file, STATUS_FILTER.common);
    expect(common).toMatch(
      /EXISTS USING (COVERING )?INDEX sqlite_autoindex_deliveries_1 \(event_id=\?\)/,
    );
    expect(common).not.toContain('deliveries_status_queued');
  });
});
