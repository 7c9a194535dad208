import path from 'node:path';
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

// What a large history lists is tested on every engine in
// test/storage/contract/events-large-history.test.ts; these are SQLite's query plans.
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
