import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo, type ParsedArgs } from './cli-command.js';
import { ApiCallError, ApiClient } from './api-client.js';

/**
 * Runs the body of a command that talks to the API: builds the client, prints what `body`
 * returns (JSON with `--json`, else its text), and turns call failures into one stderr line and
 * exit 1 (exit 64 for a bad --server).
 */
export async function runApiCommand(
  name: string,
  args: ParsedArgs,
  io: CliIo,
  body: (client: ApiClient) => Promise<{ json: unknown; text: string }>,
): Promise<number> {
  let client: ApiClient;
  try {
    client = new ApiClient(args, io);
  } catch (err) {
    io.stderr(`reposentry ${name}: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  try {
    const result = await body(client);
    io.stdout(
      args.values.json === true ? `${JSON.stringify(result.json, null, 2)}\n` : result.text,
    );
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ApiCallError || err instanceof UsageError) {
      io.stderr(`reposentry ${name}: ${err.message}\n`);
      return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
    }
    throw err;
  }
}

/** A command line that names nothing sensible (exit 64). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
