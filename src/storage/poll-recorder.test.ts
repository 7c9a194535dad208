import { describe, expect, it } from 'vitest';
import {
  BASELINED,
  REPO,
  sha,
  TARGET,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';

const MAIN = 'refs/heads/main';
const DEV = 'refs/heads/dev';

// The outbox writes every engine makes are tested through `Storage` in test/storage/contract/;
// forgetRefs is SQLite's own (no caller of `Storage` has it).
describe('SqliteStores.forgetRefs', () => {
  const temp = useTempStorage();

  it('forgets refs without recording any event', () => {
    temp.storage.sync.repositories.track(REPO, 500);
    temp.storage.sync.recordPoll({
      repository: REPO,
      refs: {
        upsert: [
          { ref: MAIN, sha: sha(1) },
          { ref: DEV, sha: sha(2) },
        ],
        remove: [],
      },
      events: [],
      targets: [TARGET],
      pollState: { polledAt: 1_000, nextPollAt: 61_000, via: 'api', baselined: BASELINED },
    });
    expect(temp.storage.sync.forgetRefs(REPO.name, [DEV, 'refs/heads/never-seen'])).toBe(1);
    expect([...temp.storage.sync.refStates.shas(REPO.name).keys()]).toEqual([MAIN]);
    expect(temp.storage.sync.events.count()).toBe(0);
  });
});
