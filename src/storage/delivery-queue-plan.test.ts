import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  makeEvent,
  recordEvent,
  REPO,
  sha,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';
import { queryPlan } from '../../test/storage/query-plan.js';
import { CLAIMABLE_IDS, NEXT_DUE_AT } from './delivery-store.js';

/** The plan of `sql` with every `?` bound to 1. */
function planOf(file: string, sql: string): string {
  return queryPlan(
    file,
    sql,
    Array.from(sql.matchAll(/\?/g), () => 1),
  );
}

describe('the delivery queue with a backlog', () => {
  const temp = useTempStorage();
  const file = (): string => path.join(temp.dir, 'reposentry.db');

  beforeEach(async () => {
    // 300 pending deliveries: 100 repositories with three changes of main each.
    for (let change = 0; change < 3; change += 1) {
      for (let r = 0; r < 100; r += 1) {
        const repo = { ...REPO, name: `app-${r}` };
        const at = 1_000 + change * 1_000 + r;
        await recordEvent(
          temp.storage,
          makeEvent('refs/heads/main', sha(change), sha(change + 1), at, repo),
        );
      }
    }
  });

  it('claims by walking pending deliveries oldest first, without sorting the whole queue', () => {
    const plan = planOf(file(), CLAIMABLE_IDS);
    expect(plan).toContain('deliveries_pending_by_id');
    expect(plan).not.toContain('TEMP B-TREE');
    const claimed = temp.storage.sync.deliveries.claimDue(10_000, 5).map((c) => c.delivery.id);
    expect(claimed).toEqual([1, 2, 3, 4, 5]);
  });

  it('finds the next due time in due order, stopping at the first delivery whose ref is free', () => {
    const plan = planOf(file(), NEXT_DUE_AT);
    expect(plan).toContain('deliveries_due');
    expect(plan).not.toContain('TEMP B-TREE');
    expect(temp.storage.sync.deliveries.nextDueAt()).toBe(1_000);
    // The oldest delivery of app-0 is retried later: its newer ones (due earlier) must wait for
    // it, so the next due time is app-1's first delivery, not app-0's second.
    const [first] = temp.storage.sync.deliveries.claimDue(1_000, 1);
    expect(first?.delivery.id).toBe(1);
    temp.storage.sync.deliveries.scheduleRetry(1, 60_000, 'HTTP 503', 503);
    expect(temp.storage.sync.deliveries.nextDueAt()).toBe(1_001);
  });
});
