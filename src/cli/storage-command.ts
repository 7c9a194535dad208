import { existsSync } from 'node:fs';
import type { Config } from '../config/config-types.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import {
  COPIED_TABLES,
  copyFromSqlite,
  type CopyResult,
} from '../storage/postgres/copy-from-sqlite.js';
import { postgresLocation } from '../storage/postgres/postgres-location.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import {
  EXIT_BAD_CONFIG,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type CliCommand,
  type CliIo,
  type ParsedArgs,
} from './cli-command.js';
import { loadConfigOrReport } from './load-config-or-report.js';
import { oneShotOutput } from './one-shot-output.js';
import { resolveConfigPath } from './resolve-config-path.js';

const USAGE = 'reposentry storage migrate --to URL|env:NAME [-c FILE] [--json]';
/** `--to env:NAME`: the URL is read from the environment variable NAME, never from argv. */
const ENV_PREFIX = 'env:';

/** Where --to points: the URL, and whether it was written on the command line itself. */
interface Target {
  readonly url: string;
  readonly literal: boolean;
}

class UsageError extends Error {}

/**
 * `reposentry storage migrate --to URL [-c FILE]`: copies the SQLite database of the config
 * (storage.sqlite.path, whatever storage.type says) into an empty PostgreSQL database, every
 * row in one transaction (see `copyFromSqlite`). The SQLite file is opened as its one writer,
 * so a daemon still running on it refuses the copy (`storage-locked`), and migrated to the
 * current schema first. `--to env:NAME` reads the URL from the environment, out of the process
 * list; a literal URL carrying a password is accepted with a warning. The password appears in
 * no output. Progress goes to stderr, the summary (rows per table) to stdout. Exit 0 when every
 * row is copied, 1 when the copy failed or was refused (nothing written), 2 bad config,
 * 64 bad command line.
 */
export const storageCommand: CliCommand = {
  name: 'storage',
  summary: 'Copy the SQLite database into an empty PostgreSQL database (storage migrate)',
  usage: USAGE,
  options: {
    to: { type: 'string' },
    config: { type: 'string', short: 'c' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    let target: Target;
    try {
      target = parseTarget(args, io);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      io.stderr(`reposentry storage: ${err.message}\n\nUsage: ${USAGE}\n`);
      return EXIT_USAGE;
    }
    const where = postgresLocation(target.url);
    // Whatever is written from here on is scrubbed of the target's credentials.
    const safe: CliIo = {
      ...io,
      stdout: (text) => io.stdout(where.scrub(text)),
      stderr: (text) => io.stderr(where.scrub(text)),
    };
    if (target.literal && carriesPassword(target.url)) {
      safe.stderr(
        'warning: the --to URL carries a password, which other users can read in the process ' +
          'list (ps); pass it as --to env:NAME (e.g. --to env:REPOSENTRY_DATABASE_URL) instead\n',
      );
    }
    const config = await loadConfigOrReport(resolveConfigPath(args, io), safe);
    if (config === undefined) return EXIT_BAD_CONFIG;
    return migrate(config, target.url, args.values.json === true, safe);
  },
};

async function migrate(config: Config, url: string, json: boolean, io: CliIo): Promise<number> {
  const { log, print } = oneShotOutput(config, io);
  const fail = (err: unknown): number => {
    io.stderr(`reposentry storage migrate: ${errorMessageOf(err)} (${errorCodeOf(err)})\n`);
    return EXIT_FAILURE;
  };
  const file = config.storage.sqlitePath;
  if (!existsSync(file)) {
    io.stderr(
      `reposentry storage migrate: Database file ${file} (storage.sqlite.path) does not exist; ` +
        `nothing to copy\n`,
    );
    return EXIT_FAILURE;
  }
  const source = new SqliteStorage({
    path: file,
    busyTimeoutMs: config.storage.busyTimeoutMs,
    log,
    writer: { command: 'storage migrate' },
  });
  try {
    await source.start();
  } catch (err) {
    return fail(err);
  }
  try {
    io.stderr(`Copying ${source.path} into ${postgresLocation(url).text} (one transaction)\n`);
    const result = await copyFromSqlite({
      source,
      url,
      log,
      onTable: ({ table, rows, durationMs }) =>
        io.stderr(`  ${table}: ${rows} row${rows === 1 ? '' : 's'} (${durationMs} ms)\n`),
    });
    print(json ? `${JSON.stringify(summaryJson(result), null, 2)}\n` : summaryText(result));
    return EXIT_OK;
  } catch (err) {
    return fail(err);
  } finally {
    await source.stop();
  }
}

function parseTarget(args: ParsedArgs, io: CliIo): Target {
  const [action, ...extra] = args.positionals;
  if (action !== 'migrate') {
    throw new UsageError(
      action === undefined ? 'which action? (migrate)' : `unknown action ${JSON.stringify(action)}`,
    );
  }
  if (extra[0] !== undefined) throw new UsageError(`unexpected ${JSON.stringify(extra[0])}`);
  const to = args.values.to;
  if (typeof to !== 'string' || to === '') {
    throw new UsageError('--to is required: the PostgreSQL database to copy into');
  }
  let url = to;
  const literal = !to.startsWith(ENV_PREFIX);
  if (!literal) {
    const name = to.slice(ENV_PREFIX.length);
    if (name === '') throw new UsageError('--to env:NAME needs the name of a variable');
    const value = io.env[name];
    if (value === undefined || value === '') {
      throw new UsageError(`--to ${to}: environment variable ${name} is not set or empty`);
    }
    url = value;
  }
  // Never echo the value: a malformed URL may still hold a password.
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(
      `--to${literal ? '' : ` ${to}`}: not a URL (postgres://user:password@host:5432/database)`,
    );
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new UsageError(
      `--to${literal ? '' : ` ${to}`}: a postgres:// or postgresql:// URL is needed`,
    );
  }
  return { url, literal };
}

/** A password in the userinfo or as `?password=` (a user name alone is no secret). */
function carriesPassword(url: string): boolean {
  const parsed = new URL(url);
  return parsed.password !== '' || parsed.searchParams.get('password') !== null;
}

function summaryJson(result: CopyResult): Record<string, unknown> {
  return {
    source: result.source,
    target: result.target,
    tables: result.tables,
    requeuedInFlight: result.requeued,
    durationMs: result.durationMs,
  };
}

function summaryText(result: CopyResult): string {
  const width = Math.max(...COPIED_TABLES.map((t) => t.length));
  const lines = [
    `Copied ${result.source} into ${result.target} in ${result.durationMs} ms:`,
    ...COPIED_TABLES.map((t) => `  ${t.padEnd(width)}  ${String(result.tables[t]).padStart(9)}`),
  ];
  if (result.requeued > 0) {
    lines.push(
      `${result.requeued} deliver${result.requeued === 1 ? 'y was' : 'ies were'} in flight ` +
        `when the SQLite daemon stopped: pending now, sent again by the first replica`,
    );
  }
  lines.push(
    'Every row copied. Next: set storage.type: postgres and storage.postgres.url, then start ' +
      'the daemon on PostgreSQL.',
  );
  return `${lines.join('\n')}\n`;
}
