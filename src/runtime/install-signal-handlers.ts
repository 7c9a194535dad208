import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';

export interface SignalHandlerOptions {
  readonly log: Logger;
  /** Graceful shutdown; resolves when everything has stopped. */
  readonly shutdown: (reason: string) => Promise<void>;
  /** SIGHUP: re-read the configuration. */
  readonly reload: () => void;
  /** Where process events come from (the real process in production). */
  readonly target?: NodeJS.EventEmitter;
}

/**
 * SIGTERM/SIGINT start a graceful shutdown (a second one is logged and ignored: the deadline
 * bounds the first); SIGHUP reloads; an unhandled rejection or uncaught exception is logged with
 * its code and shuts the daemon down with exit code 1. Returns a function removing the handlers.
 */
export function installSignalHandlers(options: SignalHandlerOptions): () => void {
  const target = options.target ?? process;
  let shuttingDown = false;
  const stop = (reason: string, exitCode: number): void => {
    if (exitCode !== 0) process.exitCode = exitCode;
    if (shuttingDown) {
      options.log.warn('Shutdown already in progress', { reason });
      return;
    }
    shuttingDown = true;
    options.log.info('Shutting down', { reason });
    void options.shutdown(reason);
  };
  const onTerm = (): void => stop('SIGTERM', 0);
  const onInt = (): void => stop('SIGINT', 0);
  const onHup = (): void => {
    options.log.info('SIGHUP received, reloading configuration');
    options.reload();
  };
  const onFatal = (kind: string) => (err: unknown) => {
    options.log.error('Fatal error, shutting down', {
      kind,
      code: errorCodeOf(err),
      error: errorMessageOf(err),
    });
    stop(kind, 1);
  };
  const onRejection = onFatal('unhandledRejection');
  const onException = onFatal('uncaughtException');
  target.on('SIGTERM', onTerm);
  target.on('SIGINT', onInt);
  target.on('SIGHUP', onHup);
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('SIGTERM', onTerm);
    target.off('SIGINT', onInt);
    target.off('SIGHUP', onHup);
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}
