import type { CliCommand } from './cli-command.js';
import { demoCommand } from './demo-command.js';
import { initCommand } from './init-command.js';
import { pollCommand } from './poll-command.js';
import { runCommand } from './run-command.js';
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
  versionCommand,
];
