import type { CliCommand } from './cli-command.js';
import { versionCommand } from './version-command.js';

/** Every `reposentry` command, in the order `reposentry help` lists them. */
export const COMMANDS: readonly CliCommand[] = [versionCommand];
