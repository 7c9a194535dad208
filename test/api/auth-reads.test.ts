import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configProblemsOf } from '../helpers/config-problems.js';
import type { Config } from '../../src/config/config-types.js';
import { loadConfigFromObject } from '../../src/config/load-config.js';
import { OPENAPI_DOCUMENT } from '../../src/api/openapi-document.js';
import { runCli } from '../helpers/run-cli.js';
import { API_TOKEN, startApiFixture, type ApiFixture } from './api-fixture.js';

/** Every read the token guards when api.auth_reads is true (the stream is checked apart). */
const READS = [
  '/api/v1/status',
  '/api/v1/replicas',
  '/api/v1/repositories',
  '/api/v1/repositories/app',
  '/api/v1/events',
  '/metrics',
];
/** Probes and documentation: open whatever api.auth_reads says. */
const OPEN = ['/healthz', '/readyz', '/health', '/version', '/openapi.json', '/swagger/'];

describe('API with api.auth_reads: true', () => {
  let api: ApiFixture;
  let eventId: string;
  beforeAll(async () => {
    api = await startApiFixture({ authReads: true });
    await api.repo.commit('main', 'second');
    await api.pollNow();
    eventId = (await api.daemon.daemon.storage.events.list({ limit: 1 })).events[0]!.id;
  });
  afterAll(async () => {
    await api.close();
  });

  const reads = (): string[] => [...READS, `/api/v1/events/${eventId}`];

  it('refuses every read without a token: 401 with WWW-Authenticate and a JSON error', async () => {
    for (const path of reads()) {
      const response = await api.call(path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate'), path).toMatch(/^Bearer realm=/);
      expect(await response.json(), path).toEqual({
        error: 'unauthorized',
        message: 'Send Authorization: Bearer <api.auth_token> (api.auth_reads is on)',
      });
    }
    const head = await api.call('/api/v1/status', { method: 'HEAD' });
    expect(head.status).toBe(401);
  });

  it('lets no other spelling of a read path past the guard', async () => {
    for (const path of [
      '/api/v1/status/',
      '/api/v1//status',
      '/api//v1/status',
      '/API/V1/STATUS',
      '/api/v1/%73tatus',
      '/api/v1/repositories/%61pp',
      '/metrics/',
      '/metrics?name=x',
    ]) {
      const response = await api.call(path);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(await response.json(), path).toHaveProperty('error');
    }
  });

  it('refuses every read with a wrong token: 403', async () => {
    for (const path of reads()) {
      const response = await api.call(path, { token: `${API_TOKEN}x` });
      expect(response.status, path).toBe(403);
      expect(await response.json(), path).toEqual({
        error: 'forbidden',
        message: 'The bearer token is not api.auth_token',
      });
    }
  });

  it('answers every read with the token', async () => {
    for (const path of reads()) {
      const response = await api.call(path, { token: API_TOKEN });
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
    const metrics = await api.call('/metrics', { token: API_TOKEN });
    expect(await metrics.text()).toContain('reposentry_polls_total');
  });

  it('guards the event stream before it starts', async () => {
    const refused = await api.call('/api/v1/events/stream');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized' });
    expect((await api.call('/api/v1/events/stream', { token: 'nope' })).status).toBe(403);

    const controller = new AbortController();
    const open = await api.call('/api/v1/events/stream', {
      token: API_TOKEN,
      signal: controller.signal,
    });
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  it('keeps probes and documentation open', async () => {
    for (const path of OPEN) {
      const response = await api.call(path);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
  });

  it('is described by the OpenAPI document: optional bearer security on exactly the reads it guards', async () => {
    const paths = OPENAPI_DOCUMENT.paths as Record<string, Record<string, { security?: unknown }>>;
    const gets = Object.entries(paths).filter(([, operations]) => 'get' in operations);
    expect(gets.length).toBeGreaterThan(8);
    for (const [template, operations] of gets) {
      const path = template.replace('{name}', 'app').replace('{id}', eventId);
      const controller = new AbortController();
      const response = await api.call(path, { signal: controller.signal });
      const guarded = response.status === 401;
      controller.abort();
      expect(guarded || response.status === 200, `${path} -> ${response.status}`).toBe(true);
      expect(operations.get?.security, template).toEqual(
        guarded ? [{}, { bearer: [] }] : undefined,
      );
    }
  });

  it('still needs the token for mutations', async () => {
    const poll = await api.call('/api/v1/repositories/app/poll', { method: 'POST' });
    expect(poll.status).toBe(401);
  });

  it('follows a reload: the flag and the token are read on every request', async () => {
    const d = api.daemon.daemon;
    const started = d.config();
    const withApi = (change: Partial<Config['api']>): Config => ({
      ...started,
      api: { ...started.api, ...change },
    });
    try {
      await d.applyConfig(withApi({ authReads: false }));
      expect((await api.call('/api/v1/status')).status).toBe(200);
      expect((await api.call('/metrics')).status).toBe(200);

      await d.applyConfig(withApi({ authReads: true, authToken: 'rotated-token-0f3b' }));
      expect((await api.call('/api/v1/status')).status).toBe(401);
      expect((await api.call('/api/v1/status', { token: API_TOKEN })).status).toBe(403);
      expect((await api.call('/api/v1/status', { token: 'rotated-token-0f3b' })).status).toBe(200);

      // A config validate would refuse (auth_reads without a token) keeps reads closed.
      await d.applyConfig({
        ...started,
        api: { listenAddress: started.api.listenAddress, authReads: true },
      });
      const closed = await api.call('/api/v1/status', { token: API_TOKEN });
      expect(closed.status).toBe(403);
      expect(await closed.json()).toEqual({
        error: 'forbidden',
        message: 'Reads are refused: api.auth_reads is on but api.auth_token is empty',
      });
    } finally {
      await d.applyConfig(started);
    }
  });
});

describe('API with api.auth_reads left at its default', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture();
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers reads and /metrics without a token', async () => {
    for (const path of READS) {
      const response = await api.call(path);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
  });
});

describe('api.auth_reads in the config', () => {
  const base = (api: Record<string, unknown>) => ({
    api,
    tekton: { event_listener_url: 'http://el.example:8080' },
  });
  const problemsOf = configProblemsOf;
  const PROBLEM =
    'api.auth_reads: is true but api.auth_token is empty, so every read would be refused; set api.auth_token or set api.auth_reads to false';

  it('is false by default and true when set with a token', () => {
    const plain = loadConfigFromObject(base({}), { env: {}, cwd: '/srv' });
    expect(plain.api.authReads).toBe(false);
    const on = loadConfigFromObject(base({ auth_token: 'x-token', auth_reads: true }), {
      env: {},
      cwd: '/srv',
    });
    expect(on.api).toMatchObject({ authReads: true, authToken: 'x-token' });
  });

  it('is a problem without a token, also when the token variable is empty', () => {
    expect(problemsOf(base({ auth_reads: true }))).toEqual([PROBLEM]);
    expect(
      problemsOf(base({ auth_reads: 'true', auth_token: '${REPOSENTRY_API_TOKEN}' }), {
        REPOSENTRY_API_TOKEN: '',
      }),
    ).toEqual([PROBLEM]);
    expect(problemsOf(base({ auth_reads: 'yes' }))).toEqual([
      'api.auth_reads: must be true or false (got "yes")',
    ]);
  });

  it('makes validate print the problem and exit 2', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rs-auth-reads-'));
    try {
      const file = path.join(dir, 'config.yaml');
      await writeFile(
        file,
        'api:\n  auth_reads: true\ntekton:\n  event_listener_url: http://el.example:8080\n',
      );
      const result = await runCli(['validate', '-c', file], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(PROBLEM);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
