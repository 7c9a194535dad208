/**
 * Runs the real daemon (storage, scheduler, git clients, delivery worker) in-process on a raw
 * config object, with a captured logger, for end-to-end tests.
 */
import { loadConfigFromObject } from '../../src/config/load-config.js';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/daemon/create-daemon.js';
import { createCaptureLogger, type CapturedLogger } from './capture-logger.js';

export interface TestDaemon {
  readonly daemon: Daemon;
  readonly logs: CapturedLogger;
  /** http://127.0.0.1:PORT of the daemon's API. */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

export async function startTestDaemon(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
  observers: Pick<DaemonOptions, 'onPoll' | 'onDeliveryAttempt' | 'streamKeepAliveMs'> = {},
): Promise<TestDaemon> {
  const app = (raw.app ?? {}) as Record<string, unknown>;
  const api = (raw.api ?? {}) as Record<string, unknown>;
  const config = loadConfigFromObject(
    {
      ...raw,
      // Any free port on loopback, unless the test says otherwise.
      app: { health_check_port: 0, ...app },
      api: { listen_address: '127.0.0.1', ...api },
    },
    { env },
  );
  const logs = createCaptureLogger({ level: 'debug' });
  logs.secrets.registerAll(config.secrets);
  const daemon = createDaemon({
    config,
    log: logs.log,
    secrets: logs.secrets,
    env: { PATH: process.env.PATH, ...env },
    ...observers,
  });
  await daemon.runtime.start();
  const port = daemon.api.address()?.port ?? 0;
  return {
    daemon,
    logs,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () => daemon.runtime.stop(5_000),
  };
}
