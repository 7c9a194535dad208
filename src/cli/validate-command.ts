import { EXIT_BAD_CONFIG, EXIT_OK, type CliCommand } from './cli-command.js';
import { loadConfigOrReport } from './load-config-or-report.js';
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
    const config = await loadConfigOrReport(file, io);
    if (config === undefined) return EXIT_BAD_CONFIG;
    io.stdout(`OK: ${config.repositories.length} repositories\n`);
    for (const warning of config.warnings) io.stdout(`warning: ${warning}\n`);
    return EXIT_OK;
  },
};
