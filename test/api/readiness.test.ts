import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config-types.js';
import { loadConfigFromObject } from '../../src/config/load-config.js';
import { createDaemon } from '../../src/daemon/create-daemon.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { checkResponse } from './check-response.js';

/** fetch, with the answer checked against the OpenAPI document. */
async function get(url: string): Promise<Response> {
  const response = await fetch(url);
  await checkResponse('GET', url, response);
  return response;
}

/** A daemon's config with its data in `dir`, no repositories and the API on any free port. */
function configIn(dir: string): Config {
  return loadConfigFromObject(
    {
      app: { data_dir: dir, health_check_port: 0 },
      api: { listen_address: '127.0.0.1' },
      tekton: { event_listener_url: 'http://127.0.0.1:9/' },
      repositories: [],
    },
    { env: {} },
  );
}

describe('API readiness', () => {
  it('answers /healthz but 503 on /readyz until every component runs, then 200', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rs-ready-'));
    const config = configIn(dir);
    const logs = createCaptureLogger();
    const daemon = createDaemon({ config, log: logs.log, secrets: logs.secrets, env: {} });
    // Start only what comes before the rest of the runtime: storage, then the API.
    await daemon.storage.start();
    await daemon.api.start();
    const base = `http://127.0.0.1:${daemon.api.address()?.port ?? 0}`;
    try {
      expect((await get(`${base}/healthz`)).status).toBe(200);
      const notReady = await get(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({
        error: 'not-ready',
        message: 'Not ready: the daemon is created',
      });
    } finally {
      await daemon.api.stop(AbortSignal.timeout(1000));
      await daemon.storage.stop(AbortSignal.timeout(1000));
    }

    const running = createDaemon({ config, log: logs.log, secrets: logs.secrets, env: {} });
    await running.runtime.start();
    try {
      const url = `http://127.0.0.1:${running.api.address()?.port ?? 0}/readyz`;
      expect((await get(url)).status).toBe(200);
    } finally {
      await running.runtime.stop(5_000);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers a read that storage fails with the code and message, never a stack', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rs-ready-'));
    const logs = createCaptureLogger();
    const daemon = createDaemon({
      config: configIn(dir),
      log: logs.log,
      secrets: logs.secrets,
      env: {},
    });
    await daemon.storage.start();
    await daemon.api.start();
    await daemon.storage.stop(AbortSignal.timeout(1000));
    try {
      const response = await fetch(
        `http://127.0.0.1:${daemon.api.address()?.port ?? 0}/api/v1/events`,
      );
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: 'storage-failed',
        message: expect.stringMatching(/^Database .* is closed$/),
      });
    } finally {
      await daemon.api.stop(AbortSignal.timeout(1000));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
