import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/events/change-event.js';
import { STORAGE_ENGINES, useStorage } from '../storage-engines.js';
import { makeEvent, recordEvent, sha, TARGET } from '../storage-fixtures.js';

const MAIN = 'refs/heads/main';
const DEV = 'refs/heads/dev';
const OTHER_TARGET = { url: 'http://second-listener.test/', format: 'gitlab' } as const;

describe.each(STORAGE_ENGINES)('Storage.deliveries (the outbox queue) on %s', (engine) => {
  const under = useStorage(engine);

  async function claimIds(now: number, limit = 10): Promise<number[]> {
    const claimed = await under.storage.deliveries.claimDue(now, limit);
    return claimed.map((c) => c.delivery.id);
  }

  /** The ids of an event's deliveries, oldest first. */
  async function deliveryIds(event: ChangeEvent): Promise<number[]> {
    return (await under.storage.deliveries.listForEvent(event.id)).map((d) => d.id);
  }

  it('claims due deliveries in_flight with their event and payload slot', async () => {
    const event = await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    expect(await under.storage.deliveries.claimDue(999, 10)).toEqual([]);
    const [claimed, ...rest] = await under.storage.deliveries.claimDue(1_000, 10);
    expect(rest).toEqual([]);
    expect(claimed?.event).toMatchObject({ id: event.id, ref: MAIN, after: sha(2) });
    expect(claimed?.event.detectedAt).toEqual(new Date(1_000));
    expect(claimed?.delivery).toMatchObject({
      eventId: event.id,
      status: 'in_flight',
      targetUrl: TARGET.url,
      format: 'github',
      attempts: 0,
      payload: null,
    });
    expect(await under.storage.deliveries.claimDue(5_000, 10)).toEqual([]);
  });

  it('delivers one ref in order: the next waits until the previous is delivered or failed', async () => {
    const both = [TARGET, OTHER_TARGET];
    const first = await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000), both);
    const second = await recordEvent(under.storage, makeEvent(MAIN, sha(2), sha(3), 2_000), both);
    const onDev = await recordEvent(under.storage, makeEvent(DEV, sha(7), sha(8), 3_000));
    const [mainFirst, mainFirstOther] = await deliveryIds(first);
    const [mainSecond, mainSecondOther] = await deliveryIds(second);
    const [dev] = await deliveryIds(onDev);

    // One per lane: (main, TARGET), (main, OTHER_TARGET) and (dev, TARGET) are independent.
    expect(await claimIds(10_000)).toEqual([mainFirst, mainFirstOther, dev]);
    expect(await claimIds(10_000)).toEqual([]);

    // A retry scheduled for later still holds back the newer delivery of its lane.
    await under.storage.deliveries.scheduleRetry(mainFirst!, 20_000, 'HTTP 503', 503);
    expect(await claimIds(10_000)).toEqual([]);
    expect(await under.storage.deliveries.nextDueAt()).toBe(20_000);

    await under.storage.deliveries.markDelivered(mainFirstOther!, 10_000);
    expect(await claimIds(10_000)).toEqual([mainSecondOther]);

    expect(await claimIds(20_000)).toEqual([mainFirst]);
    await under.storage.deliveries.markFailed(mainFirst!, 'HTTP 400', 400);
    expect(await claimIds(20_000)).toEqual([mainSecond]);
  });

  it('honours the claim limit, oldest first', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const event = makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 100), 1_000 + i);
      ids.push(...(await deliveryIds(await recordEvent(under.storage, event))));
    }
    expect(ids).toHaveLength(5);
    expect(await claimIds(10_000, 2)).toEqual(ids.slice(0, 2));
    expect(await claimIds(10_000, 10)).toEqual(ids.slice(2));
  });

  it('stores the first payload and keeps it for every later attempt', async () => {
    await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    const [claimed] = await under.storage.deliveries.claimDue(1_000, 1);
    const id = claimed!.delivery.id;
    const first = await under.storage.deliveries.savePayload(id, '{"a":1}', {
      'X-Hub-Signature-256': 's1',
    });
    const second = await under.storage.deliveries.savePayload(id, '{"a":2}', {
      'X-Hub-Signature-256': 's2',
    });
    expect(second).toEqual(first);
    // The next attempt is handed the stored payload.
    await under.storage.deliveries.scheduleRetry(id, 2_000, 'HTTP 503', 503);
    const [again] = await under.storage.deliveries.claimDue(2_000, 1);
    expect(again?.delivery.id).toBe(id);
    expect(again?.delivery.payload).toEqual({
      body: '{"a":1}',
      headers: { 'X-Hub-Signature-256': 's1' },
    });
    expect(again?.delivery.payload).toEqual(first);
    await expect(under.storage.deliveries.savePayload(999, 'x', {})).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('logs attempts and exposes them per event without the payload', async () => {
    const event = await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    const [claimed] = await under.storage.deliveries.claimDue(1_000, 1);
    const id = claimed!.delivery.id;
    await under.storage.deliveries.savePayload(id, '{}', { 'X-Gitlab-Token': 'shared-secret' });
    await under.storage.deliveries.recordAttempt(id, {
      attempt: 1,
      startedAt: 1_000,
      latencyMs: 12,
      error: 'ECONNREFUSED',
    });
    await under.storage.deliveries.scheduleRetry(id, 2_000, 'ECONNREFUSED');
    expect(await claimIds(2_000, 1)).toEqual([id]);
    await under.storage.deliveries.recordAttempt(id, {
      attempt: 2,
      startedAt: 2_000,
      statusCode: 202,
      latencyMs: 30,
    });
    await under.storage.deliveries.markDelivered(id, 2_030);

    const [detail, ...rest] = await under.storage.deliveries.listForEvent(event.id);
    expect(rest).toEqual([]);
    expect(detail).toMatchObject({
      id,
      status: 'delivered',
      attempts: 2,
      roundAttempts: 2,
      lastStatusCode: 202,
      lastError: null,
      deliveredAt: 2_030,
    });
    expect(detail?.attemptLog.map((a) => [a.attempt, a.statusCode, a.latencyMs, a.error])).toEqual([
      [1, null, 12, 'ECONNREFUSED'],
      [2, 202, 30, null],
    ]);
    expect(JSON.stringify(detail)).not.toContain('shared-secret');
  });

  it('refuses state changes of a delivery that is not in flight', async () => {
    const event = await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    const [pending] = await deliveryIds(event);
    await expect(under.storage.deliveries.markDelivered(pending!, 2_000)).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(under.storage.deliveries.markFailed(42, 'x')).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('requeues deliveries left in flight by a crash after reopening', async () => {
    const onMain = await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    const onDev = await recordEvent(under.storage, makeEvent(DEV, sha(3), sha(4), 1_000));
    const [main] = await deliveryIds(onMain);
    const [dev] = await deliveryIds(onDev);
    expect(await claimIds(1_000)).toEqual([main, dev]);
    await under.storage.deliveries.recordAttempt(main!, {
      attempt: 1,
      startedAt: 1_000,
      statusCode: 202,
      latencyMs: 5,
    });
    // The process dies before markDelivered.
    const storage = await under.reopen();
    expect(await storage.deliveries.countByStatus()).toMatchObject({
      in_flight: 2,
      pending: 0,
    });
    expect(await storage.deliveries.requeueInFlight()).toBe(2);
    expect(await storage.deliveries.requeueInFlight()).toBe(0);
    const again = (await storage.deliveries.claimDue(1_000, 10)).map((c) => c.delivery);
    expect(again.map((d) => [d.id, d.attempts])).toEqual([
      [main, 1],
      [dev, 0],
    ]);
  });

  it('redelivers a finished event, keeping attempts and payload, and refuses while queued', async () => {
    const event = await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    const { deliveries } = under.storage;
    await expect(deliveries.redeliver(event.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(deliveries.redeliver('no-such-event')).rejects.toMatchObject({
      code: 'not-found',
    });
    const [id] = await claimIds(1_000, 1);
    await deliveries.savePayload(id!, '{"same":"bytes"}', {});
    for (let attempt = 1; attempt <= 3; attempt++) {
      await deliveries.recordAttempt(id!, {
        attempt,
        startedAt: 1_000,
        statusCode: 500,
        latencyMs: 1,
      });
      if (attempt < 3) {
        await deliveries.scheduleRetry(id!, 1_000, 'HTTP 500', 500);
        expect(await claimIds(1_000, 1)).toEqual([id]);
      }
    }
    await deliveries.markFailed(id!, 'HTTP 500', 500);

    const [reset] = await deliveries.redeliver(event.id, 50_000);
    expect(reset).toMatchObject({
      id,
      status: 'pending',
      attempts: 3,
      roundAttempts: 0,
      nextAttemptAt: 50_000,
    });
    const [claimed] = await deliveries.claimDue(50_000, 1);
    expect(claimed?.delivery.id).toBe(id);
    expect(claimed?.delivery.payload?.body).toBe('{"same":"bytes"}');
    await deliveries.recordAttempt(id!, {
      attempt: 4,
      startedAt: 50_000,
      statusCode: 200,
      latencyMs: 1,
    });
    const [after] = await deliveries.listForEvent(event.id);
    expect(after).toMatchObject({ id, attempts: 4, roundAttempts: 1 });
  });

  it('reports queue depth, the oldest pending age and the next due time', async () => {
    const { deliveries } = under.storage;
    expect(await deliveries.nextDueAt()).toBeUndefined();
    expect(await deliveries.oldestPendingAge(5_000)).toBeUndefined();
    const onMain = await recordEvent(under.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    await recordEvent(under.storage, makeEvent(DEV, sha(3), sha(4), 3_000));
    expect(await deliveries.nextDueAt()).toBe(1_000);
    expect(await claimIds(3_000)).toHaveLength(2);
    const [main] = await deliveryIds(onMain);
    await deliveries.markDelivered(main!, 1_500);
    expect(await deliveries.countByStatus()).toEqual({
      pending: 0,
      in_flight: 1,
      delivered: 1,
      failed: 0,
    });
    expect(await deliveries.oldestPendingAge(5_000)).toBe(2_000);
    expect(await deliveries.nextDueAt()).toBeUndefined();
  });
});
