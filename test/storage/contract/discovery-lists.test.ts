import { describe, expect, it } from 'vitest';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';

const REPOSITORY = {
  path: 'acme/api',
  cloneUrl: 'https://github.com/acme/api.git',
  webUrl: 'https://github.com/acme/api',
  archived: false,
  fork: false,
  topics: ['ci'],
  missedReads: 0,
};

describe.each(STORAGE_ENGINES)('Storage.discoveryLists on %s', (engine) => {
  const under = useStorage(engine);

  it('keeps each entry’s list and its last failure across restarts', async () => {
    const lists = under.storage.discoveryLists;
    expect(await lists.list()).toEqual([]);
    expect(
      await lists.save(
        {
          entry: 'acme',
          sourceKey: 'discovery:github:github.com/acme',
          repositories: [REPOSITORY],
          readAt: 1_000,
        },
        undefined,
      ),
    ).toBe(true);
    const failure = { code: 'forge-unauthorized', message: 'Bad credentials', at: 2_000, count: 1 };
    expect(
      await lists.save(
        {
          entry: 'acme',
          sourceKey: 'discovery:github:github.com/acme',
          repositories: [REPOSITORY],
          readAt: 1_000,
          failure,
        },
        1,
      ),
    ).toBe(true);
    const storage = await under.reopen();
    expect(await storage.discoveryLists.list()).toEqual([
      {
        entry: 'acme',
        sourceKey: 'discovery:github:github.com/acme',
        repositories: [REPOSITORY],
        readAt: 1_000,
        failure,
        generation: 2,
      },
    ]);
  });

  it('refuses a write based on a generation another write has replaced', async () => {
    const lists = under.storage.discoveryLists;
    const write = { entry: 'acme', sourceKey: 'k', repositories: [], readAt: 1 };
    expect(await lists.save(write, undefined)).toBe(true);
    // A second first write, and a write of generation 1 after another one: both lose.
    expect(await lists.save(write, undefined)).toBe(false);
    expect(await lists.save({ ...write, readAt: 2 }, 1)).toBe(true);
    expect(await lists.save({ ...write, readAt: 3 }, 1)).toBe(false);
    expect((await lists.list())[0]).toMatchObject({ readAt: 2, generation: 2 });
  });

  it('forgets the lists of entries no longer configured and says which', async () => {
    const lists = under.storage.discoveryLists;
    for (const entry of ['a', 'b', 'c']) {
      await lists.save({ entry, sourceKey: `key-${entry}`, repositories: [] }, undefined);
    }
    const gone = await lists.retain(['b']);
    expect(gone.map((list) => [list.entry, list.sourceKey])).toEqual([
      ['a', 'key-a'],
      ['c', 'key-c'],
    ]);
    expect((await lists.list()).map((list) => list.entry)).toEqual(['b']);
  });
});
