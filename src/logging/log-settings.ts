/** The logger's own settings vocabulary; the config schema offers these values. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogFileRotationConfig {
  /** Rotate when the file reaches this many megabytes. */
  readonly maxSizeMb: number;
  /** Rotated files kept besides the current one. */
  readonly maxBackups: number;
  /** Rotated files older than this many days are deleted (0 = keep by count only). */
  readonly maxAgeDays: number;
  /** Gzip rotated files. */
  readonly compress: boolean;
}
