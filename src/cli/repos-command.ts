import type { CliCommand } from './cli-command.js';
import { API_CLIENT_OPTIONS } from './api-client.js';
import { formatTable, when } from './format-table.js';
import { runApiCommand } from './run-api-command.js';

interface Repository {
  name: string;
  provider: string;
  enabled: boolean;
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

/** `reposentry repos [NAME]`: every repository's poll state, or one repository's refs. */
export const reposCommand: CliCommand = {
  name: 'repos',
  summary: 'List the repositories a running daemon watches (or one, with its refs)',
  usage: 'reposentry repos [NAME] [--server URL] [--json]',
  options: API_CLIENT_OPTIONS,
  run: (args, io) =>
    runApiCommand('repos', args, io, async (client) => {
      const [name] = args.positionals;
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

function table(repositories: readonly Repository[]): string {
  return formatTable(
    ['NAME', 'PROVIDER', 'STATE', 'LAST POLL', 'NEXT POLL', 'VIA', 'REFS', 'QUOTA', 'LAST ERROR'],
    repositories.map((r) => [
      r.name,
      r.provider,
      r.enabled ? (r.state ?? '-') : 'disabled',
      when(r.lastPollAt),
      when(r.nextPollAt),
      r.via === null ? '-' : r.fallbackInUse ? `${r.via} (fallback)` : r.via,
      String(r.refCount),
      r.rateLimit ? `${r.rateLimit.remaining}/${r.rateLimit.limit}` : '-',
      r.lastError
        ? `${r.lastError.code} x${r.consecutiveFailures}: ${r.lastError.message}`.slice(0, 120)
        : '',
    ]),
  );
}
