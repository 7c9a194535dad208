import { ReposentryError } from '../errors/reposentry-error.js';

/**
 * An invalid configuration. `problems` holds every problem found, one `path.to.key: reason` line
 * each, so a user fixes them all in one pass. Problems never contain secret values.
 */
export class ConfigError extends ReposentryError {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: { cause?: unknown } = {}) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('config-invalid', `Invalid configuration (${count}): ${problems.join('; ')}`, options);
    this.problems = Object.freeze([...problems]);
  }
}

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}
