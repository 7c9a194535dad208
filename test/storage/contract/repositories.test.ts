import { describe, expect, it } from 'vitest';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { BASELINED, makeEvent, recordEvent, REPO, sha } from '../storage-fixtures.js';

const OTHER = { name: 'other', provider: 'git', url: 'https://git.test/other.git' } as const;
const MAIN = 'refs/heads/main';

describe.each(STORAGE_ENGINES)('Storage.repositories on %s', (engine) => {
  const under = useStorage(engine);

  it('syncs repositories from config and forgets a removed one with its state', async () => {
    const { storage } = under;
    expect(await storage.repositories.syncFromConfig([REPO, OTHER], 1_000)).toEqual({
      added: [REPO.name, OTHER.name],
      repointed: [],
      removed: [],
    });
    await storage.recordPollFailure(OTHER, {
      code: 'git-timeout',
      message: 'timed out',
      at: 1_500,
      nextPollAt: 4_000,
    });
    await storage.httpCache.set(OTHER.name, '/x', { etag: '"c"', body: '{}' });
    expect(await storage.repositories.syncFromConfig([REPO], 2_000)).toEqual({
      added: [],
      repointed: [],
      removed: [OTHER.name],
    });
    expect(await storage.repositories.get(REPO.name)).toEqual({
      ...REPO,
      firstSeenAt: 1_000,
      lastSeenInConfigAt: 2_000,
    });
    expect(await storage.repositories.get(OTHER.name)).toBeUndefined();
    expect(await storage.repositories.isCurrent(OTHER)).toBe(false);
    expect(await storage.pollStates.get(OTHER.name)).toBeUndefined();
    expect(await storage.httpCache.get(OTHER.name, '/x')).toBeUndefined();
    // Not watched any more: a poll still in flight records nothing.
    await expect(
      storage.recordPollFailure(OTHER, {
        code: 'internal',
        message: 'x',
        at: 3_000,
        nextPollAt: 0,
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await storage.pollStates.get(OTHER.name)).toBeUndefined();
  });

  it('forgets the state of a repository whose url changed, keeping its transition counts', async () => {
    const { storage } = under;
    await storage.repositories.track(REPO, 1_000);
    await storage.recordPoll({
      repository: REPO,
      refs: { upsert: [{ ref: MAIN, sha: sha(1) }], remove: [] },
      events: [],
      targets: [],
      pollState: { polledAt: 1_000, nextPollAt: 2_000, via: 'api', baselined: BASELINED },
    });
    await recordEvent(storage, makeEvent(MAIN, sha(1), sha(2), 2_000));
    expect(await storage.refTransitions.lastNumbers(REPO.name, [MAIN])).toEqual(
      new Map([[MAIN, 1]]),
    );
    const moved = { ...REPO, url: 'https://github.com/org/moved' };
    expect(await storage.repositories.syncFromConfig([moved], 3_000)).toMatchObject({
      repointed: [REPO.name],
    });
    expect(await storage.repositories.isCurrent(REPO)).toBe(false);
    expect(await storage.repositories.isCurrent(moved)).toBe(true);
    expect(await storage.repositories.get(REPO.name)).toMatchObject({
      url: moved.url,
      firstSeenAt: 3_000,
    });
    expect((await storage.refStates.shas(REPO.name)).size).toBe(0);
    expect(await storage.pollStates.get(REPO.name)).toBeUndefined();
    expect(await storage.refTransitions.lastNumbers(REPO.name, [MAIN])).toEqual(
      new Map([[MAIN, 1]]),
    );
  });

  it('tells a tracked repository added, kept or repointed', async () => {
    const { repositories } = under.storage;
    expect(await repositories.track(REPO, 1_000)).toBe('added');
    expect(await repositories.track(REPO, 2_000)).toBe('kept');
    expect(await repositories.get(REPO.name)).toEqual({
      ...REPO,
      firstSeenAt: 1_000,
      lastSeenInConfigAt: 2_000,
    });
    expect(await repositories.track({ ...REPO, provider: 'git' }, 3_000)).toBe('repointed');
    expect(await repositories.isCurrent(REPO)).toBe(false);
    expect(await repositories.isCurrent({ ...REPO, provider: 'git' })).toBe(true);
  });
});

describe.each(STORAGE_ENGINES)('Storage.repositories with its own clock on %s', (engine) => {
  let clock = 0;
  const under = useStorage(engine, { now: () => clock });

  it('records the time of the storage clock when not told', async () => {
    clock = 7_000;
    await under.storage.repositories.track(REPO);
    clock = 9_000;
    expect(await under.storage.repositories.syncFromConfig([REPO, OTHER])).toMatchObject({
      added: [OTHER.name],
    });
    expect(await under.storage.repositories.get(REPO.name)).toMatchObject({
      firstSeenAt: 7_000,
      lastSeenInConfigAt: 9_000,
    });
    expect(await under.storage.repositories.get(OTHER.name)).toMatchObject({
      firstSeenAt: 9_000,
      lastSeenInConfigAt: 9_000,
    });
  });
});
