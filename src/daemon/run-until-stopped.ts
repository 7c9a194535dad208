import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import { installSignalHandlers } from '../runtime/install-signal-handlers.js';
import type { Daemon } from './create-daemon.js';

/** In-flight work gets this long to finish after SIGTERM before it is cancelled. */
export const SHUTDOWN_DEADLINE_MS = 20_000;

export interface RunOptions {
  readonly signals?: NodeJS.EventEmitter;
  readonly deadlineMs?: number;
  /** Runs after the daemon started (the demo starts its commit loop here). */
  readonly onStarted?: () => void;
  /** Runs after every component stopped (the demo removes its temp files here). */
  readonly onStopped?: () => Promise<void> | void;
}

/**
 * Starts the daemon, then waits for SIGTERM/SIGINT (graceful stop within the deadline), SIGHUP
 * (reload) or a fatal error. Resolves to the exit code: 0 after a clean shutdown, 1 when start
 * failed or a fatal error stopped it.
 */
export async function runUntilStopped(
  daemon: Daemon,
  log: Logger,
  options: RunOptions = {},
): Promise<number> {
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  const uninstall = installSignalHandlers({
    log,
    reload: () => daemon.reload(),
    shutdown: async () => {
      await daemon.runtime.stop(options.deadlineMs ?? SHUTDOWN_DEADLINE_MS);
      resolveStopped();
    },
    ...(options.signals ? { target: options.signals } : {}),
  });
  try {
    await daemon.runtime.start();
  } catch (err) {
    uninstall();
    log.error('Start-up failed', { code: errorCodeOf(err), error: errorMessageOf(err) });
    await options.onStopped?.();
    return 1;
  }
  log.info('RepoSentry running', { repositories: daemon.config().repositories.length });
  options.onStarted?.();
  await stopped;
  uninstall();
  await options.onStopped?.();
  log.info('RepoSentry stopped');
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
