import type { CliCommand } from './cli-command.js';
import { demoCommand } from './demo-command.js';
import { discoverCommand } from './discover-command.js';
import { eventsCommand } from './events-command.js';
import { initCommand } from './init-command.js';
import { pollCommand } from './poll-command.js';
import { reposCommand } from './repos-command.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';
import { storageCommand } from './storage-command.js';
import { testWebhookCommand } from './test-webhook-command.js';
import { validateCommand } from './validate-command.js';
import { versionCommand } from './version-command.js';

/** Every `reposentry` command, in the order `reposentry help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  runCommand,
  validateCommand,
  initCommand,
  demoCommand,
  pollCommand,
  testWebhookCommand,
  statusCommand,
  reposCommand,
  eventsCommand,
  discoverCommand,
  storageCommand,
  versionCommand,
];
