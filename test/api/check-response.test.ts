import { describe, expect, it } from 'vitest';
import { checkResponse, checkStreamMessage } from './check-response.js';

const BASE = 'http://127.0.0.1:1';

function answer(status: number, body: unknown, contentType = 'application/json; charset=utf-8') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(status === 204 ? null : text, {
    status,
    headers: { 'content-type': contentType },
  });
}

const check = (method: string, path: string, response: Response) =>
  checkResponse(method, `${BASE}${path}`, response);

const repository = {
  name: 'app',
  provider: 'git',
  enabled: true,
  source: 'config',
  url: 'file:///srv/app.git',
  branchRegex: '.*',
  tagRegex: null,
  pollingIntervalSeconds: 60,
  currentIntervalSeconds: 60,
  intervalReason: 'configured',
  activeAt: null,
  eventListenerUrl: 'http://el.example/',
  payloadFormat: 'github',
  state: 'scheduled',
  lastPollAt: '2026-01-31T12:00:00.000Z',
  lastSuccessAt: null,
  nextPollAt: null,
  lastError: null,
  consecutiveFailures: 0,
  via: 'ls-remote',
  fallbackInUse: false,
  rateLimit: null,
  refCount: 2,
};

const deliveryChange = {
  deliveryId: 1,
  eventId: '00000000-0000-5000-8000-000000000000',
  repository: 'app',
  targetUrl: 'http://el.example/',
  status: 'delivered',
  attempt: 1,
  statusCode: 200,
  latencyMs: 12,
  error: null,
  at: '2026-01-31T12:00:00.000Z',
};

describe('checkResponse', () => {
  it('accepts answers that match the document, and leaves their body readable', async () => {
    const alive = answer(200, { status: 'ok' });
    await check('GET', '/healthz', alive);
    expect(await alive.json()).toEqual({ status: 'ok' });
    await check('GET', '/api/v1/repositories/', answer(200, { repositories: [repository] }));
    await check(
      'GET',
      '/api/v1/repositories/app',
      answer(200, {
        ...repository,
        rateLimit: {
          provider: 'github',
          host: 'api.github.com',
          account: 'anonymous',
          limit: 60,
          remaining: 59,
          resetAt: '2026-01-31T13:00:00.000Z',
        },
        refs: [],
      }),
    );
    await check(
      'POST',
      '/api/v1/repositories/app/poll',
      answer(413, { error: 'payload-too-large', message: 'x' }),
    );
    await check('GET', '/metrics', answer(200, '# HELP x\n', 'text/plain; version=0.0.4'));
    await check(
      'GET',
      '/api/v1/events/stream',
      answer(200, 'retry: 3000\n\n', 'text/event-stream'),
    );
    await check('GET', '/nowhere', answer(404, { error: 'not-found', message: 'No route' }));
    await check(
      'DELETE',
      '/api/v1/events',
      answer(405, { error: 'method-not-allowed', message: 'x' }),
    );
    await check('GET', '/swagger/', answer(200, '<html>', 'text/html'));
    await check('HEAD', '/api/v1/status', answer(401, ''));
    await check('OPTIONS', '/api/v1/events', answer(204, null));
  });

  it('fails naming the route and the field when a body does not match its schema', async () => {
    await expect(
      check('GET', '/version', answer(200, { name: 'reposentry', version: 1, node: 'v20' })),
    ).rejects.toThrow(
      /^GET \/version -> 200 does not match the OpenAPI document:[\s\S]*at version/,
    );
    const { refCount: _, ...withoutRefCount } = repository;
    await expect(
      check('GET', '/api/v1/repositories', answer(200, { repositories: [withoutRefCount] })),
    ).rejects.toThrow(/GET \/api\/v1\/repositories -> 200[\s\S]*repositories\[0\]\.refCount/);
    await expect(
      check(
        'GET',
        '/api/v1/repositories/app',
        answer(200, { ...repository, rateLimit: 'none', refs: [] }),
      ),
    ).rejects.toThrow(/GET \/api\/v1\/repositories\/\{name\} -> 200[\s\S]*rateLimit/);
    await expect(
      check(
        'GET',
        '/api/v1/repositories/app',
        answer(200, { ...repository, lastPollAt: 'yesterday', refs: [] }),
      ),
    ).rejects.toThrow(/lastPollAt/);
  });

  it('fails on a field the document does not declare', async () => {
    await expect(
      check(
        'GET',
        '/api/v1/repositories',
        answer(200, { repositories: [{ ...repository, token: 'x' }] }),
      ),
    ).rejects.toThrow(/Unrecognized key: "token"/);
  });

  it('fails on an error body that is not {error, message}, also where no route is', async () => {
    await expect(
      check('GET', '/api/v1/events/not-an-id', answer(400, { error: 'bad-request' })),
    ).rejects.toThrow(/GET \/api\/v1\/events\/\{id\} -> 400[\s\S]*message/);
    await expect(
      check('GET', '/api/v2/nothing', answer(404, { error: 'lost', message: 'x' })),
    ).rejects.toThrow(/GET \/api\/v2\/nothing -> 404[\s\S]*error/);
  });

  it('fails on a status or a content type the document does not declare for the route', async () => {
    await expect(
      check('GET', '/healthz', answer(500, { error: 'internal', message: 'Internal error' })),
    ).rejects.toThrow(
      'GET /healthz -> 500: the OpenAPI document declares no 500 for this route (only 200)',
    );
    await expect(check('GET', '/metrics', answer(200, { metrics: [] }))).rejects.toThrow(
      'GET /metrics -> 200: answered application/json; the OpenAPI document says text/plain',
    );
    await expect(check('GET', '/healthz', answer(200, 'ok', 'text/plain'))).rejects.toThrow(
      'GET /healthz -> 200: answered text/plain; the OpenAPI document says application/json',
    );
  });
});

describe('checkStreamMessage', () => {
  it('checks the data of stream messages against the schema the document names', () => {
    expect(() => checkStreamMessage('delivery', deliveryChange)).not.toThrow();
    expect(() => checkStreamMessage('delivery', { ...deliveryChange, status: 'lost' })).toThrow(
      /GET \/api\/v1\/events\/stream message "delivery" does not match[\s\S]*status/,
    );
    expect(() => checkStreamMessage('change', deliveryChange)).toThrow(/message "change"/);
    expect(() => checkStreamMessage('gossip', {})).toThrow(
      'the OpenAPI document names no such message (only change, delivery)',
    );
  });
});
