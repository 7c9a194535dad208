import { describe, expect, it } from 'vitest';
import type { Storage } from '../../../src/storage/storage.js';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { REPO, sha } from '../storage-fixtures.js';

const MAIN = 'refs/heads/main';

/** A poll of REPO that lists main at `refSha`, due again 10 ms later. */
async function poll(
  storage: Storage,
  at: number,
  refSha: string,
  activeAt?: number,
): Promise<void> {
  await storage.recordPoll({
    repository: REPO,
    refs: { upsert: [{ ref: MAIN, sha: refSha }], remove: [] },
    events: [],
    targets: [],
    pollState: {
      polledAt: at,
      nextPollAt: at + 10,
      via: 'api',
      baselined: { branch: true, tag: false, pull: false },
      ...(activeAt === undefined ? {} : { activeAt }),
    },
  });
}

describe.each(STORAGE_ENGINES)('Storage.refStates and Storage.pollStates on %s', (engine) => {
  const under = useStorage(engine);

  it('leaves an unchanged ref untouched and moves next poll on request', async () => {
    const { storage } = under;
    await storage.repositories.track(REPO);
    await poll(storage, 1_000, sha(1));
    await poll(storage, 2_000, sha(1));
    expect((await storage.refStates.list(REPO.name)).get(MAIN)).toEqual({
      ref: MAIN,
      sha: sha(1),
      seenAt: 1_000,
      updatedAt: 1_000,
    });
    await poll(storage, 3_000, sha(2));
    expect((await storage.refStates.list(REPO.name)).get(MAIN)).toMatchObject({
      seenAt: 1_000,
      updatedAt: 3_000,
    });
    expect(await storage.refStates.counts()).toEqual(new Map([[REPO.name, 1]]));
    expect(await storage.pollStates.nextPollAts()).toEqual(new Map([[REPO.name, 3_010]]));

    await storage.pollStates.setNextPollAts(new Map([[REPO.name, 5]]));
    const states = await storage.pollStates.list();
    expect(states.map((p) => [p.repository, p.nextPollAt, p.baselined])).toEqual([
      [REPO.name, 5, { branch: true, tag: false, pull: false }],
    ]);
    await storage.pollStates.setNextPollAts(
      new Map([
        [REPO.name, 7],
        ['unknown', 8],
      ]),
    );
    expect(await storage.pollStates.nextPollAts()).toEqual(new Map([[REPO.name, 7]]));
    expect(await storage.pollStates.get('unknown')).toBeUndefined();
  });

  it('keeps the last activity across polls and restarts: the first poll, then a change or an ask', async () => {
    await under.storage.repositories.track(REPO);
    await poll(under.storage, 1_000, sha(1));
    expect((await under.storage.pollStates.get(REPO.name))?.activeAt).toBe(1_000);
    await poll(under.storage, 2_000, sha(1));
    expect((await under.storage.pollStates.get(REPO.name))?.activeAt).toBe(1_000);
    await poll(under.storage, 3_000, sha(2), 3_000);
    const storage = await under.reopen();
    expect((await storage.pollStates.get(REPO.name))?.activeAt).toBe(3_000);
    await poll(storage, 4_000, sha(2));
    expect((await storage.pollStates.list())[0]?.activeAt).toBe(3_000);
  });
});
