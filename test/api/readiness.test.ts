import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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

describe('API readiness', () => {
  it('answers /healthz but 503 on /readyz until every component runs, then 200', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rs-ready-'));
    const config = loadConfigFromObject(
      {
        app: { data_dir: dir, health_check_port: 0 },
        api: { listen_address: '127.0.0.1' },
        tekton: { event_listener_url: 'http://127.0.0.1:9/' },
        repositories: [],
      },
      { env: {} },
    );
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
});
