import { describe, expect, it } from 'vitest';
import {
  makeEvent,
  recordEvent,
  sha,
  TARGET,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';

const MAIN = 'refs/heads/main';
const DEV = 'refs/heads/dev';
const OTHER_TARGET = { url: 'http://second-listener.test/', format: 'gitlab' } as const;

describe('DeliveryStore', () => {
  const temp = useTempStorage();

  function claimIds(now: number, limit = 10): number[] {
    return temp.storage.sync.deliveries.claimDue(now, limit).map((claimed) => claimed.delivery.id);
  }

  it('claims due deliveries in_flight with their event and payload slot', () => {
    const event = makeEvent(MAIN, sha(1), sha(2), 1_000);
    recordEvent(temp.storage, event);
    expect(temp.storage.sync.deliveries.claimDue(999, 10)).toEqual([]);
    const [claimed, ...rest] = temp.storage.sync.deliveries.claimDue(1_000, 10);
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
    expect(temp.storage.sync.deliveries.claimDue(5_000, 10)).toEqual([]);
  });

  it('delivers one ref in order: the next waits until the previous is delivered or failed', () => {
    recordEvent(temp.storage, makeEvent(MAIN, sha(1), sha(2), 1_000), [TARGET, OTHER_TARGET]);
    recordEvent(temp.storage, makeEvent(MAIN, sha(2), sha(3), 2_000), [TARGET, OTHER_TARGET]);
    recordEvent(temp.storage, makeEvent(DEV, sha(7), sha(8), 3_000));
    const [mainFirst, mainFirstOther, mainSecond, mainSecondOther, dev] = [1, 2, 3, 4, 5];

    // One per lane: (main, TARGET), (main, OTHER_TARGET) and (dev, TARGET) are independent.
    expect(claimIds(10_000)).toEqual([mainFirst, mainFirstOther, dev]);
    expect(claimIds(10_000)).toEqual([]);

    // A retry scheduled for later still holds back the newer delivery of its lane.
    temp.storage.sync.deliveries.scheduleRetry(mainFirst, 20_000, 'HTTP 503', 503);
    expect(claimIds(10_000)).toEqual([]);
    expect(temp.storage.sync.deliveries.nextDueAt()).toBe(20_000);

    temp.storage.sync.deliveries.markDelivered(mainFirstOther, 10_000);
    expect(claimIds(10_000)).toEqual([mainSecondOther]);

    expect(claimIds(20_000)).toEqual([mainFirst]);
    temp.storage.sync.deliveries.markFailed(mainFirst, 'HTTP 400', 400);
    expect(claimIds(20_000)).toEqual([mainSecond]);
  });

  it('honours the claim limit, oldest first', () => {
    for (let i = 0; i < 5; i++) {
      recordEvent(temp.storage, makeEvent(`refs/heads/b${i}`, sha(i), sha(i + 100), 1_000 + i));
    }
    expect(claimIds(10_000, 2)).toEqual([1, 2]);
    expect(claimIds(10_000, 10)).toEqual([3, 4, 5]);
  });

  it('stores the first payload and keeps it for every later attempt', () => {
    recordEvent(temp.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    const [claimed] = temp.storage.sync.deliveries.claimDue(1_000, 1);
    const id = claimed!.delivery.id;
    const first = temp.storage.sync.deliveries.savePayload(id, '{"a":1}', {
      'X-Hub-Signature-256': 's1',
    });
    const second = temp.storage.sync.deliveries.savePayload(id, '{"a":2}', {
      'X-Hub-Signature-256': 's2',
    });
    expect(second).toEqual(first);
    expect(temp.storage.sync.deliveries.get(id)?.payload).toEqual({
      body: '{"a":1}',
      headers: { 'X-Hub-Signature-256': 's1' },
    });
    expect(() => temp.storage.sync.deliveries.savePayload(999, 'x', {})).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
  });

  it('logs attempts and exposes them per event without the payload', () => {
    const event = makeEvent(MAIN, sha(1), sha(2), 1_000);
    recordEvent(temp.storage, event);
    const id = temp.storage.sync.deliveries.claimDue(1_000, 1)[0]!.delivery.id;
    temp.storage.sync.deliveries.savePayload(id, '{}', { 'X-Gitlab-Token': 'shared-secret' });
    temp.storage.sync.deliveries.recordAttempt(id, {
      attempt: 1,
      startedAt: 1_000,
      latencyMs: 12,
      error: 'ECONNREFUSED',
    });
    temp.storage.sync.deliveries.scheduleRetry(id, 2_000, 'ECONNREFUSED');
    temp.storage.sync.deliveries.claimDue(2_000, 1);
    temp.storage.sync.deliveries.recordAttempt(id, {
      attempt: 2,
      startedAt: 2_000,
      statusCode: 202,
      latencyMs: 30,
    });
    temp.storage.sync.deliveries.markDelivered(id, 2_030);

    const [detail] = temp.storage.sync.deliveries.listForEvent(event.id);
    expect(detail).toMatchObject({
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

  it('refuses state changes of a delivery that is not in flight', () => {
    recordEvent(temp.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    expect(() => temp.storage.sync.deliveries.markDelivered(1, 2_000)).toThrow(
      expect.objectContaining({ code: 'conflict' }),
    );
    expect(() => temp.storage.sync.deliveries.markFailed(42, 'x')).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
  });

  it('requeues deliveries left in flight by a crash after reopening', () => {
    recordEvent(temp.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    recordEvent(temp.storage, makeEvent(DEV, sha(3), sha(4), 1_000));
    expect(claimIds(1_000)).toEqual([1, 2]);
    temp.storage.sync.deliveries.recordAttempt(1, {
      attempt: 1,
      startedAt: 1_000,
      statusCode: 202,
      latencyMs: 5,
    });
    temp.storage.close(); // the process dies before markDelivered

    temp.reopen();
    expect(temp.storage.sync.deliveries.countByStatus()).toMatchObject({
      in_flight: 2,
      pending: 0,
    });
    expect(temp.storage.sync.deliveries.requeueInFlight()).toBe(2);
    expect(temp.storage.sync.deliveries.requeueInFlight()).toBe(0);
    const again = temp.storage.sync.deliveries.claimDue(1_000, 10).map((c) => c.delivery);
    expect(again.map((d) => [d.id, d.attempts])).toEqual([
      [1, 1],
      [2, 0],
    ]);
  });

  it('redelivers a finished event, keeping attempts and payload, and refuses while queued', () => {
    const event = makeEvent(MAIN, sha(1), sha(2), 1_000);
    recordEvent(temp.storage, event);
    expect(() => temp.storage.sync.deliveries.redeliver(event.id)).toThrow(
      expect.objectContaining({ code: 'conflict' }),
    );
    expect(() => temp.storage.sync.deliveries.redeliver('no-such-event')).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    temp.storage.sync.deliveries.claimDue(1_000, 1);
    temp.storage.sync.deliveries.savePayload(1, '{"same":"bytes"}', {});
    for (let attempt = 1; attempt <= 3; attempt++) {
      temp.storage.sync.deliveries.recordAttempt(1, {
        attempt,
        startedAt: 1_000,
        statusCode: 500,
        latencyMs: 1,
      });
      if (attempt < 3) {
        temp.storage.sync.deliveries.scheduleRetry(1, 1_000, 'HTTP 500', 500);
        temp.storage.sync.deliveries.claimDue(1_000, 1);
      }
    }
    temp.storage.sync.deliveries.markFailed(1, 'HTTP 500', 500);

    const [reset] = temp.storage.sync.deliveries.redeliver(event.id, 50_000);
    expect(reset).toMatchObject({
      status: 'pending',
      attempts: 3,
      roundAttempts: 0,
      nextAttemptAt: 50_000,
    });
    const [claimed] = temp.storage.sync.deliveries.claimDue(50_000, 1);
    expect(claimed?.delivery.payload?.body).toBe('{"same":"bytes"}');
    temp.storage.sync.deliveries.recordAttempt(1, {
      attempt: 4,
      startedAt: 50_000,
      statusCode: 200,
      latencyMs: 1,
    });
    expect(temp.storage.sync.deliveries.get(1)).toMatchObject({ attempts: 4, roundAttempts: 1 });
  });

  it('reports queue depth, the oldest pending age and the next due time', () => {
    expect(temp.storage.sync.deliveries.nextDueAt()).toBeUndefined();
    expect(temp.storage.sync.deliveries.oldestPendingAge(5_000)).toBeUndefined();
    recordEvent(temp.storage, makeEvent(MAIN, sha(1), sha(2), 1_000));
    recordEvent(temp.storage, makeEvent(DEV, sha(3), sha(4), 3_000));
    expect(temp.storage.sync.deliveries.nextDueAt()).toBe(1_000);
    temp.storage.sync.deliveries.claimDue(3_000, 10);
    temp.storage.sync.deliveries.markDelivered(1, 1_500);
    expect(temp.storage.sync.deliveries.countByStatus()).toEqual({
      pending: 0,
      in_flight: 1,
      delivered: 1,
      failed: 0,
    });
    expect(temp.storage.sync.deliveries.oldestPendingAge(5_000)).toBe(2_000);
    expect(temp.storage.sync.deliveries.nextDueAt()).toBeUndefined();
  });
});
