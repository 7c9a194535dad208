import { Writable } from 'node:stream';
import winston from 'winston';
import type { Config } from '../config/config-types.js';
import { createLogger, type Logger } from '../logging/create-logger.js';
import { redactText } from '../logging/redact.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import type { CliIo } from './cli-command.js';

export interface OneShotOutput {
  /** Text lines on the command's stderr: warnings and errors (debug when the config asks). */
  readonly log: Logger;
  /** The command's own output, with every configured secret and URL credential redacted. */
  readonly print: (text: string) => void;
}

/**
 * Output of a one-shot command (`poll --once`, `test-webhook`): logs go to stderr so stdout holds
 * only the command's output (and stays parseable with `--json`); both are redacted like the
 * daemon's logs.
 */
export function oneShotOutput(config: Config, io: CliIo): OneShotOutput {
  const secrets = new SecretRegistry();
  secrets.registerAll(config.secrets);
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      io.stderr(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger({
    level: config.app.logLevel === 'debug' ? 'debug' : 'warn',
    format: 'text',
    secrets,
    transports: [new winston.transports.Stream({ stream })],
  });
  return { log, print: (text) => io.stdout(redactText(text, secrets)) };
}
