import { describe, expect, it } from 'vitest';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { REPO } from '../storage-fixtures.js';

const FAILURE = { code: 'forge-unavailable', message: 'HTTP 503', at: 1, nextPollAt: 2 };
const signal = (): AbortSignal => new AbortController().signal;

describe.each(STORAGE_ENGINES)('Storage as a component on %s', (engine) => {
  const under = useStorage(engine, { started: false });

  it('is starting until started, healthy while open, stopped after stop', async () => {
    const { storage } = under;
    expect(storage.name).toBe('storage');
    expect(storage.isOpen).toBe(false);
    expect(storage.health().status).toBe('starting');
    await expect(storage.events.count()).rejects.toMatchObject({ code: 'storage-failed' });

    await storage.start();
    await storage.start(); // already open: no-op
    expect(storage.isOpen).toBe(true);
    expect(storage.health().status).toBe('healthy');
    expect(await storage.events.count()).toBe(0);

    await storage.stop(signal());
    await storage.stop(signal());
    expect(storage.isOpen).toBe(false);
    expect(storage.health().status).toBe('stopped');
    await expect(storage.events.count()).rejects.toMatchObject({ code: 'storage-failed' });
    await expect(storage.recordPollFailure(REPO, FAILURE)).rejects.toMatchObject({
      code: 'storage-failed',
    });
  });

  it('keeps what was written when stopped and started again', async () => {
    await under.storage.start();
    await under.storage.repositories.track(REPO, 1_000);
    const storage = await under.reopen();
    expect(await storage.repositories.get(REPO.name)).toMatchObject({ firstSeenAt: 1_000 });
    expect(await storage.repositories.isCurrent(REPO)).toBe(true);
  });
});
