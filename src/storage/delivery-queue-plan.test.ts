import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  makeEvent,
  makeTempDir,
  openStorage,
  recordEvent,
  REPO,
  sha,
} from '../../test/storage/storage-fixtures.js';
import { queryPlan } from '../../test/storage/query-plan.js';
import { CLAIMABLE_IDS, NEXT_DUE_AT } from './delivery-store.js';
import type { Storage } from './storage.js';

/** The plan of `sql` with every `?` bound to 1. */
function planOf(file: string, sql: string): string {
  return queryPlan(
    file,
    sql,
    Array.from(sql.matchAll(/\?/g), () => 1),
  );
}

describe('the delivery queue with a backlog', () => {
  let dir: string;
  let cleanup: () => void;
  let storage: Storage;
  const file = (): string => path.join(dir, 'reposentry.db');

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
    storage = openStorage(dir);
    // 300 pending deliveries: 100 repositories with three changes of main each.
    for (let change = 0; change < 3; change += 1) {
      for (let r = 0; r < 100; r += 1) {
        const repo = { ...REPO, name: `app-${r}` };
        const at = 1_000 + change * 1_000 + r;
        recordEvent(storage, makeEvent('refs/heads/main', sha(change), sha(change + 1), at, repo));
      }
    }
  });
  afterEach(() => {
    storage.close();
    cleanup();
  });

  it('claims by walking pending deliveries oldest first, without sorting the whole queue', () => {
    const plan = planOf(file(), CLAIMABLE_IDS);
    expect(plan).toContain('deliveries_pending_by_id');
    expect(plan).not.toContain('TEMP B-TREE');
    const claimed = storage.deliveries.claimDue(10_000, 5).map((c) => c.delivery.id);
    expect(claimed).toEqual([1, 2, 3, 4, 5]);
  });

  it('finds the next due time in due order, stopping at the first delivery whose ref is free', () => {
    const plan = planOf(file(), NEXT_DUE_AT);
    expect(plan).toContain('deliveries_due');
    expect(plan).not.toContain('TEMP B-TREE');
    expect(storage.deliveries.nextDueAt()).toBe(1_000);
    // The oldest delivery of app-0 is retried later: its newer ones (due earlier) must wait for
    // it, so the next due time is app-1's first delivery, not app-0's second.
    const [first] = storage.deliveries.claimDue(1_000, 1);
    expect(first?.delivery.id).toBe(1);
    storage.deliveries.scheduleRetry(1, 60_000, 'HTTP 503', 503);
    expect(storage.deliveries.nextDueAt()).toBe(1_001);
  });
});
