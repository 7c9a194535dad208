import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleChangeEvent } from '../../src/trigger/payloads/sample-change-event.js';
import { sqliteOf } from '../storage/storage-fixtures.js';
import { API_TOKEN, startApiFixture, type ApiFixture } from './api-fixture.js';

interface EventItem {
  id: string;
  seq: number;
  repository: string;
  ref: string;
  type: string;
  after: string | null;
  deliveries: Record<string, number>;
}
interface EventPage {
  events: EventItem[];
  nextCursor?: string;
}
interface Delivery {
  status: string;
  attempts: number;
  targetUrl: string;
  attemptLog: { attempt: number; statusCode: number | null; latencyMs: number; at: string }[];
}

const sha = (n: number): string => n.toString(16).padStart(40, '0');

describe('API events', () => {
  let api: ApiFixture;
  let committed: string;
  beforeAll(async () => {
    api = await startApiFixture();
    committed = await api.repo.commit('main', 'second');
    await api.pollNow();
    await api.receiver.waitFor((requests) => requests.length >= 1);
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists a detected change with its delivery counts', async () => {
    const page = await api.json<EventPage>('/api/v1/events?repository=app');
    expect(page.events[0]).toMatchObject({
      repository: 'app',
      ref: 'refs/heads/main',
      refName: 'main',
      type: 'branch.updated',
      after: committed,
    });
  });

  it('shows an event with every delivery attempt, and redelivers it on request', async () => {
    const [event] = (await api.json<EventPage>('/api/v1/events?type=branch.updated')).events;
    // The delivery is settled once the receiver answered; wait for the record too.
    let detail = await api.json<{ deliveries: Delivery[] }>(`/api/v1/events/${event!.id}`);
    for (let i = 0; i < 100 && detail.deliveries[0]?.status !== 'delivered'; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      detail = await api.json(`/api/v1/events/${event!.id}`);
    }
    expect(detail.deliveries).toHaveLength(1);
    expect(detail.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(detail.deliveries[0]?.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200 }),
    ]);

    const unauthenticated = await api.call(`/api/v1/events/${event!.id}/redeliver`, {
      method: 'POST',
    });
    expect(unauthenticated.status).toBe(401);
    const redelivered = await api.call(`/api/v1/events/${event!.id}/redeliver`, {
      method: 'POST',
      token: API_TOKEN,
    });
    expect(redelivered.status).toBe(202);
    const body = (await redelivered.json()) as { event: string; deliveries: Delivery[] };
    expect(body.event).toBe(event!.id);
    expect(body.deliveries[0]?.status).toBe('pending');
    await api.receiver.waitFor(
      (requests) => requests.filter((r) => r.eventId === event!.id).length >= 2,
    );
    const again = api.receiver.requests.filter((r) => r.eventId === event!.id);
    expect(again[1]?.headers['x-reposentry-delivery-attempt']).toBe('2');
    expect(again[1]?.body).toBe(again[0]?.body);
  });

  it('answers 409 to a redelivery while a delivery is still pending', async () => {
    api.receiver.hang(true);
    try {
      const [event] = (await api.json<EventPage>('/api/v1/events?type=branch.updated')).events;
      await api.call(`/api/v1/events/${event!.id}/redeliver`, { method: 'POST', token: API_TOKEN });
      const second = await api.call(`/api/v1/events/${event!.id}/redeliver`, {
        method: 'POST',
        token: API_TOKEN,
      });
      expect(second.status).toBe(409);
      expect(((await second.json()) as { error: string }).error).toBe('conflict');
    } finally {
      api.receiver.hang(false);
    }
  });

  it('answers 404 for an unknown event', async () => {
    const response = await api.call('/api/v1/events/00000000-0000-5000-8000-000000000000');
    expect(response.status).toBe(404);
  });

  it('pages through 1,000 events newest first, stable while new events arrive', async () => {
    // A thousand events without a thousand polls: written by the engine's own store.
    const storage = sqliteOf(api.daemon.daemon.storage).sync;
    const at = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 1; i <= 1000; i += 1) {
      storage.events.insertIfNew(
        sampleChangeEvent(
          { name: 'bulk', url: 'https://example.com/bulk.git', provider: 'git' },
          {
            ref: `refs/heads/b${i % 7}`,
            before: sha(i),
            after: sha(i + 1),
            detectedAt: new Date(at + i),
          },
        ),
      );
    }
    const seen: EventItem[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await api.json<EventPage>(
        `/api/v1/events?repository=bulk&limit=64${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.events);
      cursor = page.nextCursor;
      pages += 1;
      if (pages === 3) {
        // Newer events recorded meanwhile must not shift the pages being read.
        for (let i = 2000; i < 2010; i += 1) {
          storage.events.insertIfNew(
            sampleChangeEvent(
              { name: 'bulk', url: 'https://example.com/bulk.git', provider: 'git' },
              { before: sha(i), after: sha(i + 1) },
            ),
          );
        }
      }
    } while (cursor !== undefined);
    expect(pages).toBe(16);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen.map((e) => e.id)).size).toBe(1000);
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const filtered = await api.json<EventPage>(
      '/api/v1/events?repository=bulk&ref=refs/heads/b3&since=2026-01-01T00:00:00.500Z&limit=1000',
    );
    expect(filtered.events.length).toBeGreaterThan(0);
    expect(filtered.events.every((e) => e.ref === 'refs/heads/b3')).toBe(true);
    expect(filtered.events).toHaveLength(
      Array.from({ length: 1000 }, (_, k) => k + 1).filter((i) => i % 7 === 3 && i >= 500).length,
    );
    const failed = await api.json<EventPage>('/api/v1/events?status=failed');
    expect(failed.events).toEqual([]);
  });
});
