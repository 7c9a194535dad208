import type { Config } from '../config/config-types.js';
import { createLogger, type Logger } from '../logging/create-logger.js';
import type { SecretRegistry } from '../logging/secret-registry.js';

/** The root logger the config asks for, with every configured secret registered first. */
export function loggerFromConfig(config: Config, secrets: SecretRegistry): Logger {
  secrets.registerAll(config.secrets);
  return createLogger({
    level: config.app.logLevel,
    format: config.app.logFormat,
    secrets,
    defaultMeta: { service: config.app.name },
    ...(config.app.logFile === undefined
      ? {}
      : { file: config.app.logFile, rotation: config.app.logFileRotation }),
  });
}
