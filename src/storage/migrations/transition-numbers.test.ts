import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventIdOf } from '../../events/change-event.js';
import {
  REPO,
  makeEvent,
  makeTempDir,
  openStorage,
  recordEvent,
  sha,
} from '../../../test/storage/storage-fixtures.js';
import { MIGRATIONS } from './migrations.js';

const MAIN = 'refs/heads/main';
const TAG = 'refs/tags/v1';

/** Stands in for an id the previous release recorded: kept as it is, whatever it is. */
function legacyId(ref: string, before: string | null, after: string | null): string {
  return `legacy-${ref}-${before ?? 'none'}-${after ?? 'none'}`;
}

describe('migration 3 (transition numbers) on a database of the previous release', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
    file = path.join(dir, 'reposentry.db');
    const old = openStorage(dir, { migrations: MIGRATIONS.filter((m) => m.version < 3) });
    old.close();
    const db = new BetterSqlite3(file);
    const insert = db.prepare(
      `INSERT INTO events (id, repository, repository_url, provider, ref, type, before_sha,
         after_sha, detected_at) VALUES (?, ?, ?, 'github', ?, ?, ?, ?, ?)`,
    );
    const rows: [string, string, string | null, string | null][] = [
      [MAIN, 'branch.updated', sha(1), sha(2)],
      [TAG, 'tag.created', null, sha(2)],
      [MAIN, 'branch.updated', sha(2), sha(3)],
      [MAIN, 'branch.updated', sha(3), sha(1)],
    ];
    rows.forEach(([ref, type, before, after], i) =>
      insert.run(legacyId(ref, before, after), REPO.name, REPO.url, ref, type, before, after, i),
    );
    db.prepare(
      `INSERT INTO repositories (name, provider, url, first_seen_at, last_seen_in_config_at)
         VALUES (?, 'github', ?, 0, 0)`,
    ).run(REPO.name, REPO.url);
    db.prepare(
      `INSERT INTO ref_state (repository, ref, sha, seen_at, updated_at) VALUES (?, ?, ?, 0, 0)`,
    ).run(REPO.name, MAIN, sha(1));
    db.close();
  });
  afterEach(() => cleanup());

  it('numbers existing events per ref in recorded order and keeps their ids', () => {
    const storage = openStorage(dir);
    try {
      const events = storage.sync.events
        .list({ limit: 10 })
        .events.map((e) => [e.ref, e.transition]);
      expect(events).toEqual([
        [MAIN, 3],
        [MAIN, 2],
        [TAG, 1],
        [MAIN, 1],
      ]);
      expect(storage.sync.events.get(legacyId(MAIN, sha(1), sha(2)))?.transition).toBe(1);
      expect(
        storage.sync.refTransitions.lastNumbers(REPO.name, [MAIN, TAG, 'refs/heads/x']),
      ).toEqual(
        new Map([
          [MAIN, 3],
          [TAG, 1],
        ]),
      );
      // The ref state is untouched: a poll that lists main at sha(1) detects nothing.
      expect(storage.sync.refStates.shas(REPO.name)).toEqual(new Map([[MAIN, sha(1)]]));
    } finally {
      storage.close();
    }
  });

  it('gives a transition seen before the upgrade a new id when it happens again', async () => {
    const storage = openStorage(dir);
    try {
      const again = await recordEvent(storage, makeEvent(MAIN, sha(1), sha(2), 10_000));
      expect(again.transition).toBe(4);
      expect(again.id).toBe(eventIdOf(REPO.name, MAIN, sha(1), sha(2), 4));
      expect(storage.sync.deliveries.listForEvent(again.id)).toHaveLength(1);
      expect(storage.sync.events.count()).toBe(5);
    } finally {
      storage.close();
    }
  });
});
