import { isConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { errorMessageOf } from '../errors/reposentry-error.js';
import { EXIT_BAD_CONFIG, EXIT_OK, type CliCommand } from './cli-command.js';
import { resolveConfigPath } from './resolve-config-path.js';

/**
 * `reposentry validate [-c FILE]`: loads the config exactly as `run` would. Valid: `OK: N
 * repositories` and each warning on stdout, exit 0. Invalid (including a missing, unreadable or
 * non-YAML file): every problem on its own line on stderr, exit 2.
 */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Check a config file and print every problem',
  usage: 'reposentry validate [-c FILE]',
  options: { config: { type: 'string', short: 'c' } },
  async run(args, io) {
    const file = resolveConfigPath(args, io);
    try {
      const config = await loadConfig({ file, env: io.env, cwd: io.cwd });
      io.stdout(`OK: ${config.repositories.length} repositories\n`);
      for (const warning of config.warnings) io.stdout(`warning: ${warning}\n`);
      return EXIT_OK;
    } catch (err) {
      const problems = isConfigError(err) ? err.problems : [errorMessageOf(err)];
      const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
      io.stderr(`Invalid configuration ${file} (${count}):\n`);
      for (const problem of problems) io.stderr(`${problem}\n`);
      return EXIT_BAD_CONFIG;
    }
  },
};
