import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '../../src/logging/create-logger.js';
import { SecretRegistry } from '../../src/logging/secret-registry.js';

export interface CapturedLogger {
  readonly log: Logger;
  readonly secrets: SecretRegistry;
  /** Every JSON line written so far, parsed. */
  entries(): Record<string, unknown>[];
  /** Every line written so far, raw, joined by newlines (search it for leaked secrets). */
  text(): string;
}

/** A real logger (same format pipeline as production) writing JSON lines into memory. */
export function createCaptureLogger(
  options: { secrets?: SecretRegistry; level?: 'debug' | 'info' | 'warn' | 'error' } = {},
): CapturedLogger {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8').trimEnd());
      done();
    },
  });
  const secrets = options.secrets ?? new SecretRegistry();
  const log = createLogger({
    level: options.level ?? 'debug',
    format: 'json',
    secrets,
    transports: [new winston.transports.Stream({ stream })],
  });
  return {
    log,
    secrets,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}
