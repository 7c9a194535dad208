import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startApiFixture, type ApiFixture } from './api-fixture.js';

interface Repo {
  name: string;
  refs?: { ref: string; sha: string }[];
  [key: string]: unknown;
}

describe('API repositories and status', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture();
    await api.repo.tag('v1.0.0', 'main');
    await api.pollNow();
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists configured repositories with their poll state', async () => {
    const { repositories } = await api.json<{ repositories: Repo[] }>('/api/v1/repositories');
    expect(repositories).toHaveLength(1);
    expect(repositories[0]).toMatchObject({
      name: 'app',
      provider: 'git',
      enabled: true,
      branchRegex: '.*',
      tagRegex: '^v',
      pollingIntervalSeconds: 3600,
      payloadFormat: 'github',
      state: 'scheduled',
      lastError: null,
      consecutiveFailures: 0,
      via: 'ls-remote',
      fallbackInUse: false,
      rateLimit: null,
      refCount: 2,
    });
    const repo = repositories[0]!;
    expect(Date.parse(repo.lastPollAt as string)).not.toBeNaN();
    expect(Date.parse(repo.nextPollAt as string)).toBeGreaterThan(Date.now());
  });

  it('shows one repository with its refs and shas', async () => {
    const repo = await api.json<Repo>('/api/v1/repositories/app');
    const refs = await api.repo.refs();
    expect(repo.refs?.map((r) => [r.ref, r.sha])).toEqual(
      [...refs].sort(([a], [b]) => a.localeCompare(b)),
    );
  });

  it('answers 404 for an unknown repository and 400 for a bad name', async () => {
    const missing = await api.call('/api/v1/repositories/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: 'not-found',
      message: 'No repository named "nope"',
    });
    const long = await api.call(`/api/v1/repositories/${'x'.repeat(300)}`);
    expect(long.status).toBe(400);
    expect(((await long.json()) as { message: string }).message).toMatch(/^name: /);
  });

  it('polls a repository now on POST .../poll with the token', async () => {
    const sha = await api.repo.commit('main', 'polled by request');
    const response = await api.call('/api/v1/repositories/app/poll', {
      method: 'POST',
      token: API_TOKEN,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ repository: 'app', message: 'Poll queued' });
    await api.receiver.waitFor((requests) => requests.some((r) => r.json.after === sha));
  });

  it('reports components, counts, config and rate limits at /api/v1/status', async () => {
    const status = await api.json('/api/v1/status');
    expect(status).toMatchObject({
      name: 'reposentry',
      ready: true,
      repositories: { configured: 1, failing: 0, usingFallback: 0 },
      config: { file: null, generation: 1, lastReloadAt: null, lastReloadError: null },
      rateLimits: [],
    });
    expect((status.events as { total: number }).total).toBeGreaterThanOrEqual(1);
    expect((status.health as { status: string }).status).toBe('healthy');
    expect(status.deliveries).toMatchObject({ byStatus: expect.objectContaining({ failed: 0 }) });
    expect(JSON.stringify(status)).not.toContain(API_TOKEN);
  });
});
