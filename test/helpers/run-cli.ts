/**
 * Runs one `reposentry` command line in-process (the real dispatcher, argument parsing and
 * command) with captured stdout/stderr, as a user's shell would see it.
 */
import { main } from '../../src/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd: string },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { PATH: process.env.PATH, ...options.env },
    cwd: options.cwd,
  });
  return { code, stdout, stderr };
}
