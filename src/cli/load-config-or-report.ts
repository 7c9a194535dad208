import { isConfigError } from '../config/config-error.js';
import type { Config } from '../config/config-types.js';
import { loadConfig } from '../config/load-config.js';
import { errorMessageOf } from '../errors/reposentry-error.js';
import type { CliIo } from './cli-command.js';

/**
 * Loads the config file as every command does; when it is invalid (or missing, or not YAML),
 * writes every problem on its own line to stderr and resolves to undefined (exit code 2).
 */
export async function loadConfigOrReport(file: string, io: CliIo): Promise<Config | undefined> {
  try {
    return await loadConfig({ file, env: io.env, cwd: io.cwd });
  } catch (err) {
    const problems = isConfigError(err) ? err.problems : [errorMessageOf(err)];
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    io.stderr(`Invalid configuration ${file} (${count}):\n`);
    for (const problem of problems) io.stderr(`${problem}\n`);
    return undefined;
  }
}
