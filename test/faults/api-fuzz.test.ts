import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '../../src/api/openapi-document.js';
import { API_TOKEN, startApiFixture, type ApiFixture } from '../api/api-fixture.js';

const NASTY = [
  '',
  ' ',
  '0',
  '-1',
  '1e9',
  '99999999999999999999',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  "' OR '1'='1",
  '"; DROP TABLE events; --',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e',
  '☃✓分支',
  '<script>alert(1)</script>',
  '${GITHUB_TOKEN}',
  'refs/heads/main',
  '2026-01-01T00:00:00Z',
  'x'.repeat(5_000),
];

/** A small deterministic generator so a failure can be replayed. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('API under random input', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture();
    await api.repo.commit('main', 'something to list');
    await api.pollNow();
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers every query of every route with a JSON 4xx or a 2xx, never a 5xx or a stack', async () => {
    const random = generator(20261123);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const routes = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        params: ((op as { parameters?: { name: string; in: string }[] }).parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => p.name),
      })),
    );
    const deadline = Date.now() + 4_000;
    let requests = 0;
    while (Date.now() < deadline) {
      const route = pick(routes);
      if (route.path.endsWith('/stream')) continue;
      const path = route.path.replace(/\{(\w+)\}/g, () =>
        encodeURIComponent(pick([...NASTY, 'app'])),
      );
      const query = new URLSearchParams();
      const names = [...route.params, 'unknown', 'limit'];
      const count = Math.floor(random() * 4);
      for (let i = 0; i < count; i += 1) query.append(pick(names), pick(NASTY));
      const qs = query.toString();
      const init: RequestInit & { token?: string } = { method: route.method };
      if (route.method === 'POST') {
        const token = pick([API_TOKEN, 'wrong', '']);
        if (token !== '') init.token = token;
        if (random() < 0.5) {
          init.headers = {
            'content-type': pick([
              'application/json',
              'text/plain',
              'application/x-www-form-urlencoded',
            ]),
          };
          init.body = pick(['{', '{"a":1}', 'x'.repeat(40_000), '[]', 'null']);
        }
      }
      const response = await api.call(`${path}${qs ? `?${qs}` : ''}`, init);
      const text = await response.text();
      requests += 1;
      const where = `${route.method} ${path}?${qs.slice(0, 200)} -> ${response.status}`;
      expect(response.status, where).toBeLessThan(500);
      expect(text, where).not.toMatch(/\n\s+at \S+ \(|node_modules|\.ts:\d+/);
      if (response.status >= 400) {
        const body = JSON.parse(text) as { error?: unknown; message?: unknown };
        expect(typeof body.error, where).toBe('string');
        expect(typeof body.message, where).toBe('string');
      }
    }
    expect(requests).toBeGreaterThan(50);
    expect((await api.call('/readyz')).status).toBe(200);
  }, 30_000);
});
