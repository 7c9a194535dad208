import type { CliCommand } from './cli-command.js';
import { API_CLIENT_OPTIONS, ApiCallError, type ApiClient } from './api-client.js';
import { formatTable, when } from './format-table.js';
import { UsageError, runApiCommand } from './run-api-command.js';

interface Repository {
  name: string;
  provider: string;
  enabled: boolean;
  source: string;
  state: string | null;
  lastPollAt: string | null;
  nextPollAt: string | null;
  via: string | null;
  fallbackInUse: boolean;
  refCount: number;
  lastError: { code: string; message: string } | null;
  consecutiveFailures: number;
  rateLimit: { remaining: number; limit: number } | null;
  refs?: { ref: string; sha: string; updatedAt: string }[];
}

/**
 * `reposentry repos [NAME]`: every repository's poll state, or one repository's refs.
 * `reposentry repos poll NAME`: asks the daemon to poll NAME now (needs the API token). `poll` is
 * always the action here, so a repository that is itself named "poll" is polled with
 * `repos poll poll`; `repos poll` alone is a usage error rather than a guess.
 */
export const reposCommand: CliCommand = {
  name: 'repos',
  summary:
    'List the repositories a running daemon watches (or one, with its refs), or poll one now',
  usage:
    'reposentry repos [NAME]\n       reposentry repos poll NAME\n       (all: [--server URL] [--token TOKEN] [--json])',
  options: API_CLIENT_OPTIONS,
  run: (args, io) =>
    runApiCommand('repos', args, io, async (client) => {
      const [first, second, ...extra] = args.positionals;
      if (first === 'poll') {
        if (second === undefined)
          throw new UsageError('poll needs the NAME of a repository: reposentry repos poll NAME');
        if (extra[0] !== undefined) throw new UsageError(`unexpected ${JSON.stringify(extra[0])}`);
        return pollNow(client, second);
      }
      if (second !== undefined) throw new UsageError(`unexpected ${JSON.stringify(second)}`);
      const name = first;
      if (name !== undefined) {
        const repo = await client.get<Repository>(
          `/api/v1/repositories/${encodeURIComponent(name)}`,
        );
        const refs = formatTable(
          ['REF', 'SHA', 'CHANGED'],
          (repo.refs ?? []).map((r) => [r.ref, r.sha, when(r.updatedAt)]),
        );
        return { json: repo, text: table([repo]) + '\n' + refs };
      }
      const { repositories } = await client.get<{ repositories: Repository[] }>(
        '/api/v1/repositories',
      );
      return { json: repositories, text: table(repositories) };
    }),
};

/** POST .../poll: 202 is the only success; any refusal or failure names the repository. */
async function pollNow(client: ApiClient, name: string): Promise<{ json: unknown; text: string }> {
  try {
    const accepted = await client.post<{ repository: string; message: string }>(
      `/api/v1/repositories/${encodeURIComponent(name)}/poll`,
    );
    return { json: accepted, text: `Poll of ${accepted.repository} queued\n` };
  } catch (err) {
    if (err instanceof ApiCallError) throw new ApiCallError(`cannot poll ${name}: ${err.message}`);
    throw err;
  }
}

function table(repositories: readonly Repository[]): string {
  return formatTable(
    [
      'NAME',
      'PROVIDER',
      'STATE',
      'LAST POLL',
      'NEXT POLL',
      'VIA',
      'REFS',
      'QUOTA',
      'SOURCE',
      'LAST ERROR',
    ],
    repositories.map((r) => [
      r.name,
      r.provider,
      r.enabled ? (r.state ?? '-') : 'disabled',
      when(r.lastPollAt),
      when(r.nextPollAt),
      r.via === null ? '-' : r.fallbackInUse ? `${r.via} (fallback)` : r.via,
      String(r.refCount),
      r.rateLimit ? `${r.rateLimit.remaining}/${r.rateLimit.limit}` : '-',
      r.source,
      r.lastError
        ? `${r.lastError.code} x${r.consecutiveFailures}: ${r.lastError.message}`.slice(0, 120)
        : '',
    ]),
  );
}
