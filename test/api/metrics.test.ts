import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

/** The value of one sample in Prometheus text, e.g. `reposentry_polls_total{...}`; 0 if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return 0;
}

describe('API /metrics', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture();
  });
  afterAll(async () => {
    await api.close();
  });

  it('moves poll, change and delivery counters after a poll and a delivery', async () => {
    const read = async (): Promise<string> => {
      const response = await api.call('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      return response.text();
    };
    const before = await read();
    await api.repo.commit('main', 'measured');
    await api.pollNow();
    await api.receiver.waitFor((requests) => requests.length >= 1);
    let after = await read();
    for (
      let i = 0;
      i < 100 && sample(after, 'reposentry_deliveries_total', { outcome: 'delivered' }) < 1;
      i += 1
    ) {
      await new Promise((r) => setTimeout(r, 20));
      after = await read();
    }
    const polls = { provider: 'git', outcome: 'success' };
    expect(sample(after, 'reposentry_polls_total', polls)).toBe(
      sample(before, 'reposentry_polls_total', polls) + 1,
    );
    expect(sample(after, 'reposentry_changes_total', { type: 'branch.updated' })).toBe(1);
    expect(sample(after, 'reposentry_deliveries_total', { outcome: 'delivered' })).toBe(1);
    expect(sample(after, 'reposentry_delivery_duration_seconds_count')).toBe(1);
    expect(sample(after, 'reposentry_delivery_queue', { status: 'delivered' })).toBe(1);
    expect(sample(after, 'reposentry_delivery_queue', { status: 'pending' })).toBe(0);
    expect(after).toMatch(/^reposentry_process_resident_memory_bytes \d+/m);
  });
});
