import { redactedConfig } from '../config/redacted-config.js';
import { createDaemon } from '../daemon/create-daemon.js';
import { runUntilStopped } from '../daemon/run-until-stopped.js';
import { loggerFromConfig } from './logger-from-config.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import { VERSION } from '../version.js';
import { EXIT_BAD_CONFIG, type CliCommand } from './cli-command.js';
import { loadConfigOrReport } from './load-config-or-report.js';
import { resolveConfigPath } from './resolve-config-path.js';

/**
 * `reposentry run [-c FILE]`: the daemon. Exit 2 on an invalid config (nothing starts), 1 when
 * start-up fails, 0 after a clean shutdown on SIGTERM/SIGINT.
 */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Run the daemon',
  usage: 'reposentry run [-c FILE]',
  options: { config: { type: 'string', short: 'c' } },
  async run(args, io) {
    const file = resolveConfigPath(args, io);
    const config = await loadConfigOrReport(file, io);
    if (config === undefined) return EXIT_BAD_CONFIG;
    const secrets = new SecretRegistry();
    const log = loggerFromConfig(config, secrets);
    log.info('Starting RepoSentry', {
      version: VERSION,
      configFile: file,
      config: redactedConfig(config),
    });
    for (const warning of config.warnings) log.warn('Config warning', { warning });
    const daemon = createDaemon({
      config,
      log,
      secrets,
      env: io.env,
      configFile: file,
      cwd: io.cwd,
    });
    const code = await runUntilStopped(daemon, log);
    await new Promise<void>((resolve) => {
      log.on('finish', resolve);
      log.end();
    });
    return code;
  },
};
