import { beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedPayloadFormat } from '../../../src/config/config-types.js';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import {
  BASELINED,
  baselinePoll,
  makeEvent,
  recordEvent,
  REPO,
  sha,
  TARGET,
} from '../storage-fixtures.js';

const MAIN = 'refs/heads/main';
const DEV = 'refs/heads/dev';
const NOTHING = { pending: 0, in_flight: 0, delivered: 0, failed: 0 };

describe.each(STORAGE_ENGINES)('Storage.recordPoll (the outbox) on %s', (engine) => {
  const under = useStorage(engine);
  beforeEach(async () => {
    await under.storage.repositories.track(REPO, 500);
  });

  async function baseline(): Promise<void> {
    await under.storage.recordPoll(baselinePoll({ [MAIN]: sha(1), [DEV]: sha(2) }));
  }

  it('writes ref state, events, one pending delivery per target, and poll state', async () => {
    await baseline();
    const update = makeEvent(MAIN, sha(1), sha(3), 2_000);
    const removal = makeEvent(DEV, sha(2), null, 2_000);
    const result = await under.storage.recordPoll({
      repository: REPO,
      refs: { upsert: [{ ref: MAIN, sha: sha(3) }], remove: [DEV] },
      events: [update, removal],
      targets: (event) =>
        event.type === 'branch.deleted'
          ? [TARGET]
          : [TARGET, { url: 'http://other.test/', format: 'cloudevents' }],
      pollState: { polledAt: 2_000, nextPollAt: 62_000, via: 'ls-remote', baselined: BASELINED },
    });

    expect(result.newEvents.map((e) => e.id)).toEqual([update.id, removal.id]);
    expect(result.deliveriesCreated).toBe(3);
    const { storage } = under;
    expect(await storage.refStates.shas(REPO.name)).toEqual(new Map([[MAIN, sha(3)]]));
    expect((await storage.refStates.list(REPO.name)).get(MAIN)).toMatchObject({
      seenAt: 1_000,
      updatedAt: 2_000,
    });
    expect(await storage.events.get(update.id)).toMatchObject({
      ref: MAIN,
      before: sha(1),
      after: sha(3),
    });
    const deliveries = await storage.deliveries.listForEvent(update.id);
    expect(deliveries.map((d) => [d.targetUrl, d.status])).toEqual([
      [TARGET.url, 'pending'],
      ['http://other.test/', 'pending'],
    ]);
    expect(await storage.pollStates.get(REPO.name)).toMatchObject({
      lastPollAt: 2_000,
      lastSuccessAt: 2_000,
      nextPollAt: 62_000,
      lastVia: 'ls-remote',
      consecutiveFailures: 0,
      baselined: { branch: true, tag: true, pull: false },
    });
    expect(await storage.repositories.get(REPO.name)).toMatchObject({
      url: REPO.url,
      firstSeenAt: 500,
    });
  });

  it('writes nothing at all when the transaction fails midway', async () => {
    await baseline();
    const before = await under.storage.pollStates.get(REPO.name);
    const first = makeEvent(MAIN, sha(1), sha(3), 2_000);
    const second = makeEvent(DEV, sha(2), sha(4), 2_000);
    // The second event's target has a format the deliveries table refuses, after the ref state,
    // the first event and its delivery were already written inside the transaction.
    const bogus = { url: 'http://bad.test/', format: 'bogus' as ResolvedPayloadFormat };
    await expect(
      under.storage.recordPoll({
        repository: REPO,
        refs: {
          upsert: [
            { ref: MAIN, sha: sha(3) },
            { ref: DEV, sha: sha(4) },
          ],
          remove: [],
        },
        events: [first, second],
        targets: (event) => (event.id === second.id ? [bogus] : [TARGET]),
        pollState: { polledAt: 2_000, nextPollAt: 62_000, via: 'api', baselined: BASELINED },
      }),
    ).rejects.toMatchObject({ code: 'storage-failed' });

    expect(await under.storage.refStates.shas(REPO.name)).toEqual(
      new Map([
        [DEV, sha(2)],
        [MAIN, sha(1)],
      ]),
    );
    expect(await under.storage.events.count()).toBe(0);
    expect(await under.storage.deliveries.countByStatus()).toEqual(NOTHING);
    expect(await under.storage.pollStates.get(REPO.name)).toEqual(before);
  });

  it('records the same transition seen twice as one event with one delivery', async () => {
    await baseline();
    const event = makeEvent(MAIN, sha(1), sha(3), 2_000);
    const poll = {
      repository: REPO,
      refs: { upsert: [{ ref: MAIN, sha: sha(3) }], remove: [] },
      events: [event],
      targets: [TARGET],
      pollState: { polledAt: 2_000, nextPollAt: 62_000, via: 'api', baselined: BASELINED },
    } as const;
    const first = await under.storage.recordPoll(poll);
    // Seen again, e.g. after a crash before the poll state was visible or by a retried poll.
    const again = await under.storage.recordPoll({
      ...poll,
      events: [{ ...event, detectedAt: new Date(9_000) }],
    });

    expect(first).toMatchObject({ deliveriesCreated: 1, duplicateEventIds: [] });
    expect(again).toMatchObject({
      newEvents: [],
      duplicateEventIds: [event.id],
      deliveriesCreated: 0,
    });
    expect(await under.storage.events.count()).toBe(1);
    expect((await under.storage.events.get(event.id))?.detectedAt.getTime()).toBe(2_000);
    expect(await under.storage.deliveries.listForEvent(event.id)).toHaveLength(1);
  });

  it('refuses a transition whose number another writer took since it was read, and rolls back', async () => {
    await baseline();
    const mine = makeEvent(MAIN, sha(1), sha(3), 2_000);
    // Another writer recorded main's first transition (to another sha) after this poll read it.
    await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(4), 1_500));
    const before = await under.storage.refStates.shas(REPO.name);
    await expect(
      under.storage.recordPoll({
        repository: REPO,
        refs: { upsert: [{ ref: MAIN, sha: sha(3) }], remove: [] },
        events: [mine],
        targets: [TARGET],
        pollState: { polledAt: 2_000, nextPollAt: 62_000, via: 'api', baselined: BASELINED },
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await under.storage.events.get(mine.id)).toBeUndefined();
    expect(await under.storage.refStates.shas(REPO.name)).toEqual(before);
    expect(await under.storage.refTransitions.lastNumbers(REPO.name, [MAIN])).toEqual(
      new Map([[MAIN, 1]]),
    );
  });

  it('keeps counting transitions of a ref across its deletion', async () => {
    await baseline();
    const deleted = await recordEvent(under.storage, makeEvent(DEV, sha(2), null, 2_000));
    const created = await recordEvent(under.storage, makeEvent(DEV, null, sha(2), 3_000));
    const deletedAgain = await recordEvent(under.storage, makeEvent(DEV, sha(2), null, 4_000));
    expect([deleted, created, deletedAgain].map((e) => e.transition)).toEqual([1, 2, 3]);
    expect(new Set([deleted.id, created.id, deletedAgain.id]).size).toBe(3);
    expect(await under.storage.events.get(deletedAgain.id)).toMatchObject({
      transition: 3,
      after: null,
    });
    expect(await under.storage.refTransitions.lastNumbers(REPO.name, [DEV])).toEqual(
      new Map([[DEV, 3]]),
    );
  });

  it('refuses an event of another repository and rolls back', async () => {
    const stranger = makeEvent(MAIN, sha(1), sha(2), 2_000, { ...REPO, name: 'other' });
    await expect(
      under.storage.recordPoll({
        repository: REPO,
        refs: { upsert: [{ ref: MAIN, sha: sha(2) }], remove: [] },
        events: [stranger],
        targets: [TARGET],
        pollState: { polledAt: 2_000, nextPollAt: 3_000, via: 'api', baselined: BASELINED },
      }),
    ).rejects.toThrow(/belongs to other/);
    expect(await under.storage.repositories.get(REPO.name)).toMatchObject({ name: REPO.name });
    expect(await under.storage.repositories.get('other')).toBeUndefined();
    expect((await under.storage.refStates.shas(REPO.name)).size).toBe(0);
    expect(await under.storage.refStates.counts()).toEqual(new Map());
    expect(await under.storage.pollStates.list()).toEqual([]);
    expect(await under.storage.events.count()).toBe(0);
  });

  it('counts consecutive failures and clears them on success', async () => {
    const failure = { code: 'forge-unavailable', message: 'HTTP 503', nextPollAt: 5_000 };
    expect(await under.storage.recordPollFailure(REPO, { ...failure, at: 1_000 })).toBe(1);
    expect(await under.storage.recordPollFailure(REPO, { ...failure, at: 2_000 })).toBe(2);
    expect(await under.storage.pollStates.get(REPO.name)).toMatchObject({
      lastPollAt: 2_000,
      lastSuccessAt: null,
      lastErrorCode: 'forge-unavailable',
      lastErrorMessage: 'HTTP 503',
      consecutiveFailures: 2,
      baselined: { branch: false, tag: false },
    });
    await baseline();
    expect(await under.storage.pollStates.get(REPO.name)).toMatchObject({
      lastErrorCode: null,
      consecutiveFailures: 0,
    });
  });
});
