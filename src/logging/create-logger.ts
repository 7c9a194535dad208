import path from 'node:path';
import winston, { type Logger } from 'winston';
import type Transport from 'winston-transport';
import type { LogFileRotationConfig, LogFormat, LogLevel } from './log-settings.js';
import { REDACTED, isDeniedKey, redactText, redactValue } from './redact.js';
import type { SecretRegistry } from './secret-registry.js';
import { pruneRotatedLogs } from './prune-rotated-logs.js';
import { guardStdout } from './guard-stdout.js';

export type { Logger } from 'winston';

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly secrets: SecretRegistry;
  /** Also write to this file, rotated per `rotation`. */
  readonly file?: string;
  readonly rotation?: LogFileRotationConfig;
  /** Replaces the stdout transport (tests capture output this way). */
  readonly transports?: Transport[];
  /** Fields on every line. */
  readonly defaultMeta?: Record<string, unknown>;
}

/** Redaction runs inside the format pipeline, so no transport ever sees an unredacted value. */
function redactFormat(secrets: SecretRegistry): winston.Logform.Format {
  return winston.format((info) => {
    for (const key of Object.keys(info)) {
      if (key === 'level') continue;
      const value = info[key];
      if (key === 'message') info[key] = redactMessage(value, secrets);
      else info[key] = isDeniedKey(key) ? REDACTED : redactValue(value, secrets);
    }
    return info;
  })();
}

function redactMessage(value: unknown, secrets: SecretRegistry): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  return redactValue(value, secrets);
}

const textLine = winston.format.printf((info) => {
  const { level, message, timestamp, component, ...rest } = info;
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const scope = typeof component === 'string' ? ` [${component}]` : '';
  return `${String(timestamp)} ${level}${scope} ${String(message)}${fields ? ' ' + fields : ''}`;
});

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;

/**
 * Drops an entry below the logger's level before any other format runs. winston formats every
 * entry and only then lets each transport filter by level, so a debug line on a hot path cost its
 * redaction and serialisation even at `warn`. Reads the level at each call: a reload changes it.
 */
function levelGate(currentLevel: () => string): winston.Logform.Format {
  return winston.format((info) => {
    const wanted = LEVELS[currentLevel() as LogLevel] ?? LEVELS.debug;
    return (LEVELS[info.level as LogLevel] ?? LEVELS.error) <= wanted ? info : false;
  })();
}

export function createLogger(options: LoggerOptions): Logger {
  const base = [
    // Called only for entries logged after `logger` below exists.
    levelGate(() => logger.level),
    winston.format.errors({ stack: false }),
    redactFormat(options.secrets),
    winston.format.timestamp(),
  ];
  const lineFormat = options.format === 'json' ? winston.format.json() : textLine;
  const stdout = options.transports
    ? undefined
    : new winston.transports.Console({ stderrLevels: [] });
  const transports: Transport[] = options.transports ?? (stdout ? [stdout] : []);
  if (options.file !== undefined)
    transports.push(createFileTransport(options.file, options.rotation));
  const logger: Logger = winston.createLogger({
    level: options.level,
    levels: LEVELS,
    format: winston.format.combine(...base, lineFormat),
    defaultMeta: options.defaultMeta ?? {},
    transports,
    exitOnError: false,
  });
  if (stdout) {
    const forget = guardStdout(stdout, (error) =>
      logger.warn(
        options.file === undefined
          ? 'stdout is closed: nothing is logged from now on (set app.log_file to keep a log)'
          : 'stdout is closed: logging goes on to the log file only',
        { error },
      ),
    );
    logger.on('close', forget);
  }
  return logger;
}

function createFileTransport(file: string, rotation: LogFileRotationConfig | undefined): Transport {
  const transport = new winston.transports.File({
    filename: file,
    ...(rotation
      ? {
          maxsize: rotation.maxSizeMb * 1024 * 1024,
          maxFiles: rotation.maxBackups + 1,
          zippedArchive: rotation.compress,
          tailable: true,
        }
      : {}),
  });
  if (rotation && rotation.maxAgeDays > 0) {
    const maxAgeMs = rotation.maxAgeDays * 24 * 60 * 60 * 1000;
    const prune = (): void => {
      void pruneRotatedLogs(path.resolve(file), maxAgeMs);
    };
    prune();
    transport.on('open', prune);
  }
  return transport;
}
