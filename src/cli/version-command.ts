import { VERSION } from '../version.js';
import { EXIT_OK, type CliCommand } from './cli-command.js';

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'Print the version',
  usage: 'reposentry version',
  options: {},
  run(_args, io) {
    io.stdout(`reposentry ${VERSION} (node ${process.version})\n`);
    return Promise.resolve(EXIT_OK);
  },
};
