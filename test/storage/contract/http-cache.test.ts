import { describe, expect, it } from 'vitest';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { REPO } from '../storage-fixtures.js';

const BRANCHES = '/repos/org/my-app/branches?page=1';

describe.each(STORAGE_ENGINES)('Storage.httpCache on %s', (engine) => {
  const under = useStorage(engine);

  it('keeps the HTTP cache across restarts and clears it per repository', async () => {
    await under.storage.httpCache.set(REPO.name, BRANCHES, { etag: 'W/"a"', body: '[1]' });
    await under.storage.httpCache.set(REPO.name, BRANCHES, { etag: 'W/"b"', body: '[2]' });
    await under.storage.httpCache.set('other', '/x', { etag: '"c"', body: '{}' });

    const storage = await under.reopen();
    expect(await storage.httpCache.get(REPO.name, BRANCHES)).toEqual({
      etag: 'W/"b"',
      body: '[2]',
    });
    await storage.httpCache.clear(REPO.name);
    expect(await storage.httpCache.get(REPO.name, BRANCHES)).toBeUndefined();
    expect(await storage.httpCache.get('other', '/x')).toEqual({ etag: '"c"', body: '{}' });
  });
});
