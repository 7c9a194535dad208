import { describe, expect, it } from 'vitest';
import { baselinePoll, REPO, sha, useTempStorage } from '../../test/storage/storage-fixtures.js';

const MAIN = 'refs/heads/main';
const DEV = 'refs/heads/dev';

// The outbox writes every engine makes are tested through `Storage` in test/storage/contract/;
// forgetRefs is SQLite's own (no caller of `Storage` has it).
describe('SqliteStores.forgetRefs', () => {
  const temp = useTempStorage();

  it('forgets refs without recording any event', () => {
    temp.storage.sync.repositories.track(REPO, 500);
    temp.storage.sync.recordPoll(baselinePoll({ [MAIN]: sha(1), [DEV]: sha(2) }));
    expect(temp.storage.sync.forgetRefs(REPO.name, [DEV, 'refs/heads/never-seen'])).toBe(1);
    expect([...temp.storage.sync.refStates.shas(REPO.name).keys()]).toEqual([MAIN]);
    expect(temp.storage.sync.events.count()).toBe(0);
  });
});
