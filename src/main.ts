import { parseArgs } from 'node:util';
import { EXIT_OK, EXIT_USAGE, type CliCommand, type CliIo } from './cli/cli-command.js';
import { COMMANDS } from './cli/commands.js';

function helpText(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: reposentry <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'reposentry help <command>' for a command's options.\n`;
}

function commandHelp(command: CliCommand): string {
  const options = Object.entries(command.options).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    return `  ${short}--${name}${spec.type === 'string' ? ' VALUE' : ''}`;
  });
  return `${command.summary}\n\nUsage: ${command.usage}\n${options.length > 0 ? `\nOptions:\n${options.join('\n')}\n` : ''}`;
}

/** Runs one command line; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  },
  commands: readonly CliCommand[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const target = commands.find((c) => c.name === rest[0]);
    io.stdout(target ? commandHelp(target) : helpText(commands));
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v') return runCommand(commands, 'version', [], io);
  return runCommand(commands, name, rest, io);
}

async function runCommand(
  commands: readonly CliCommand[],
  name: string,
  rest: readonly string[],
  io: CliIo,
): Promise<number> {
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`reposentry: unknown command '${name}'\n\n${helpText(commands)}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(command));
    return EXIT_OK;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.stderr(
      `reposentry ${name}: ${err instanceof Error ? err.message : String(err)}\n\nUsage: ${command.usage}\n`,
    );
    return EXIT_USAGE;
  }
  return command.run(parsed, io);
}
