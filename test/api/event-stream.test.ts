import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './api-fixture.js';
import { checkStreamMessage } from './check-response.js';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * Reads an SSE response message by message; the data of every `change` and `delivery` message is
 * checked against the schema the OpenAPI document names for it.
 */
function sseReader(response: Response): {
  next(predicate: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
} {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: SseMessage[] = [];
  const parse = (): void => {
    let index;
    while ((index = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        const match = /^(id|event|data): ?(.*)$/.exec(line);
        if (match?.[1] !== undefined) message[match[1] as 'id' | 'event' | 'data'] = match[2] ?? '';
      }
      if (message.event !== undefined) checkStreamMessage(message.event, JSON.parse(message.data!));
      queue.push(message);
    }
  };
  return {
    async next(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = queue.findIndex(predicate);
        if (found >= 0) return queue.splice(0, found + 1).pop()!;
        if (Date.now() > deadline) throw new Error('no matching SSE message');
        const chunk = await Promise.race([
          reader.read(),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), deadline - Date.now())),
        ]);
        if (chunk === undefined) continue;
        if (chunk.done) throw new Error('stream ended');
        buffer += decoder.decode(chunk.value, { stream: true });
        parse();
      }
    },
    close: () => {
      void reader.cancel();
    },
  };
}

describe('API event stream', () => {
  let api: ApiFixture;
  beforeEach(async () => {
    api = await startApiFixture({ keepAliveMs: 200 });
  });
  afterEach(async () => {
    await api.close();
  });

  it('sends a change triggered by a commit, then its delivery, and keeps the connection alive', async () => {
    const response = await api.call('/api/v1/events/stream');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = sseReader(response);
    try {
      const sha = await api.repo.commit('main', 'streamed');
      await api.pollNow();
      const change = await stream.next((m) => m.event === 'change');
      const event = JSON.parse(change.data!) as { id: string; seq: number; after: string };
      expect(event.after).toBe(sha);
      expect(change.id).toBe(String(event.seq));
      const delivery = await stream.next((m) => m.event === 'delivery');
      expect(JSON.parse(delivery.data!)).toMatchObject({
        eventId: event.id,
        status: 'delivered',
        attempt: 1,
        statusCode: 200,
      });
      await stream.next((m) => m.comment === 'keep-alive');
    } finally {
      stream.close();
    }
  });

  it('resumes after Last-Event-ID with the events recorded meanwhile', async () => {
    await api.repo.commit('main', 'one');
    await api.pollNow();
    const [first] = (await api.json<{ events: { seq: number }[] }>('/api/v1/events')).events;
    const shaTwo = await api.repo.commit('main', 'two');
    await api.pollNow();
    const shaThree = await api.repo.createBranch('feature', 'main');
    await api.pollNow();

    const response = await api.call('/api/v1/events/stream', {
      headers: { 'Last-Event-ID': String(first!.seq) },
    });
    const stream = sseReader(response);
    try {
      const a = JSON.parse((await stream.next((m) => m.event === 'change')).data!) as {
        after: string;
        type: string;
      };
      const b = JSON.parse((await stream.next((m) => m.event === 'change')).data!) as {
        after: string;
        type: string;
      };
      expect([a.type, a.after]).toEqual(['branch.updated', shaTwo]);
      expect([b.type, b.after]).toEqual(['branch.created', shaThree]);
    } finally {
      stream.close();
    }
  });

  it('rejects a Last-Event-ID that is not a seq', async () => {
    const response = await api.call('/api/v1/events/stream', {
      headers: { 'Last-Event-ID': 'abc' },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Last-Event-ID: /);
  });

  it('ends open streams when the daemon stops', async () => {
    const response = await api.call('/api/v1/events/stream');
    const stream = sseReader(response);
    try {
      await stream.next((m) => m.comment === 'keep-alive');
      const stopped = api.daemon.stop();
      // Ended by the server, not by the reader's deadline ('no matching SSE message').
      await expect(stream.next(() => false, 5_000)).rejects.toThrow('stream ended');
      await expect(stopped).resolves.toBeUndefined();
    } finally {
      stream.close();
    }
  });
});
