import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startApiFixture, type ApiFixture } from './api-fixture.js';

describe('API authentication', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture();
  });
  afterAll(async () => {
    await api.close();
  });

  const poll = (init: RequestInit & { token?: string } = {}) =>
    api.call('/api/v1/repositories/app/poll', { method: 'POST', ...init });

  it('answers 401 without a bearer token and 403 with a wrong one', async () => {
    const missing = await poll();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });

    const basic = await poll({ headers: { authorization: `Basic ${btoa(`x:${API_TOKEN}`)}` } });
    expect(basic.status).toBe(401);

    const wrong = await poll({ token: `${API_TOKEN}x` });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({
      error: 'forbidden',
      message: 'The bearer token is not api.auth_token',
    });
  });

  it('needs no token to read', async () => {
    expect((await api.call('/api/v1/repositories')).status).toBe(200);
    expect((await api.call('/api/v1/events')).status).toBe(200);
  });

  it('sets security headers and no CORS header', async () => {
    const response = await api.call('/api/v1/status', {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});

describe('API with no api.auth_token', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture({ authToken: '' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses every mutation with a message that says how to enable them', async () => {
    for (const path of [
      '/api/v1/repositories/app/poll',
      '/api/v1/events/00000000-0000-5000-8000-000000000000/redeliver',
    ]) {
      const response = await api.call(path, { method: 'POST', token: 'anything' });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: 'forbidden',
        message: 'Mutations are disabled: set api.auth_token in the config to enable them',
      });
    }
  });
});

describe('API input validation', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture();
  });
  afterAll(async () => {
    await api.close();
  });

  const cases: [string, string][] = [
    ['/api/v1/events?limit=0', 'limit: "0" is not an integer from 1 to 1000'],
    ['/api/v1/events?limit=abc', 'limit: "abc" is not an integer from 1 to 1000'],
    ['/api/v1/events?limit=1001', 'limit: "1001" is not an integer from 1 to 1000'],
    ['/api/v1/events?limit=1&limit=2', 'limit: give it once, as a plain value'],
    ['/api/v1/events?type=branch.moved', 'type: "branch.moved" is not one of'],
    ['/api/v1/events?status=lost', 'status: "lost" is not one of'],
    ['/api/v1/events?since=yesterday', 'since: "yesterday" is not an RFC 3339 date-time'],
    ['/api/v1/events?cursor=garbage', 'cursor is not a cursor returned by this API'],
    ["/api/v1/events?cursor=1'%20OR%201=1", 'cursor is not a cursor returned by this API'],
    ['/api/v1/events?ref=main', 'ref: give the full ref name'],
    ['/api/v1/events?repository=', 'repository: must not be empty'],
    ['/api/v1/events?repository=a%00b', 'repository: contains control characters'],
    ['/api/v1/events?colour=blue', '"colour" is not a query parameter here'],
    ['/api/v1/events/not-an-id', 'id: "not-an-id" is not a valid id'],
    ['/api/v1/repositories?x=1', '"x" is not a query parameter here; known: none'],
  ];

  it.each(cases)('answers 400 naming the parameter: %s', async (path, message) => {
    const response = await api.call(path);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('bad-request');
    expect(body.message).toContain(message);
  });

  it('treats injection strings in filters as plain values', async () => {
    const response = await api.call(
      `/api/v1/events?repository=${encodeURIComponent("app' OR '1'='1")}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ events: [] });
  });

  it('answers unknown routes with 404 JSON and other methods with 405 and Allow', async () => {
    const unknown = await api.call('/api/v2/nothing');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: 'not-found',
      message: 'No route GET /api/v2/nothing',
    });
    const wrongMethod = await api.call('/api/v1/events', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect(await wrongMethod.json()).toMatchObject({ error: 'method-not-allowed' });
    const getPoll = await api.call('/api/v1/repositories/app/poll');
    expect(getPoll.status).toBe(405);
    expect(getPoll.headers.get('allow')).toBe('POST');
  });

  it('answers malformed and oversized bodies with 400 and 413, never a stack', async () => {
    const malformed = await api.call('/api/v1/repositories/app/poll', {
      method: 'POST',
      token: API_TOKEN,
      headers: { 'content-type': 'application/json' },
      body: '{"oops":',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: 'bad-request',
      message: 'The body is not valid JSON',
    });
    const huge = await api.call('/api/v1/repositories/app/poll', {
      method: 'POST',
      token: API_TOKEN,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    const text = await huge.text();
    expect(text).not.toMatch(/\bat \w+ \(/);
    expect(JSON.parse(text)).toMatchObject({ error: 'payload-too-large' });
  });
});
