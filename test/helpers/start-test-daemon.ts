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
  stop(): Promise<void>;
}

export async function startTestDaemon(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
  observers: Pick<DaemonOptions, 'onPoll' | 'onDeliveryAttempt'> = {},
): Promise<TestDaemon> {
  const config = loadConfigFromObject(raw, { env });
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
  return { daemon, logs, stop: () => daemon.runtime.stop(5_000) };
}
