import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from './cli-command.js';
import { DEFAULT_CONFIG_FILE } from './resolve-config-path.js';
import { STARTER_CONFIG } from './starter-config.js';

/**
 * `reposentry init [-o FILE] [--force]`: writes a commented starter config that validates as
 * is. An existing file is kept unless --force is given.
 */
export const initCommand: CliCommand = {
  name: 'init',
  summary: 'Write a commented starter config',
  usage: 'reposentry init [-o FILE] [--force]',
  options: {
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
  },
  async run(args, io) {
    const option = args.values.output;
    const file = path.resolve(
      io.cwd,
      typeof option === 'string' && option !== '' ? option : DEFAULT_CONFIG_FILE,
    );
    const force = args.values.force === true;
    try {
      await writeFile(file, STARTER_CONFIG, { encoding: 'utf8', flag: force ? 'w' : 'wx' });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EEXIST') {
        io.stderr(`${file} already exists; use --force to overwrite it\n`);
      } else {
        io.stderr(`cannot write ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      return EXIT_FAILURE;
    }
    io.stdout(`Wrote ${file}\nNext: edit it, then run: reposentry validate -c ${file}\n`);
    return EXIT_OK;
  },
};
