import type { ParseArgsConfig } from 'node:util';

/** Where a command writes and what it reads from its environment; injected so tests capture it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/** One `reposentry <name>` command; one file per command under src/cli/. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Usage line(s) shown by `reposentry help <name>`, e.g. `reposentry validate [-c FILE]`. */
  readonly usage: string;
  readonly options: CliOptions;
  /** Resolves to the process exit code. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_CONFIG = 2;
/** A command line that does not parse or names something that does not exist (BSD EX_USAGE). */
export const EXIT_USAGE = 64;
