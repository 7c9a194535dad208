import path from 'node:path';
import type { CliIo, ParsedArgs } from './cli-command.js';

/** The file name used when neither -c/--config nor $REPOSENTRY_CONFIG names one. */
export const DEFAULT_CONFIG_FILE = 'config.yaml';

/**
 * The absolute config path: `-c/--config FILE`, else $REPOSENTRY_CONFIG, else ./config.yaml;
 * relative paths resolve against io.cwd.
 */
export function resolveConfigPath(args: ParsedArgs, io: CliIo): string {
  const option = args.values.config;
  const fromEnv = io.env.REPOSENTRY_CONFIG;
  const chosen =
    typeof option === 'string' && option !== ''
      ? option
      : fromEnv !== undefined && fromEnv !== ''
        ? fromEnv
        : DEFAULT_CONFIG_FILE;
  return path.resolve(io.cwd, chosen);
}
