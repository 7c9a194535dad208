import type { CliCommand } from './cli-command.js';
import { API_CLIENT_OPTIONS } from './api-client.js';
import { duration, formatTable, when } from './format-table.js';
import { runApiCommand } from './run-api-command.js';

interface Status {
  name: string;
  version: string;
  uptimeSeconds: number;
  ready: boolean;
  health: {
    status: string;
    components: Record<string, { status: string; message?: string }>;
  };
  repositories: { configured: number; failing: number; usingFallback: number };
  events: { total: number };
  deliveries: { byStatus: Record<string, number>; oldestPendingAgeSeconds: number | null };
  config: {
    file: string | null;
    generation: number;
    lastReloadAt: string | null;
    lastReloadError: { at: string; problems: string[] } | null;
  };
  rateLimits: {
    provider: string;
    host: string;
    account: string;
    limit: number;
    remaining: number;
    resetAt: string;
  }[];
  /** Absent from a daemon older than the quota governor. */
  quota?: {
    provider: string;
    host: string;
    account: string;
    repositories: number;
    minute: { demand: number; planned: number; budget: number | null };
    hour: { demand: number; planned: number; budget: number | null };
    stretched: number;
    largestStretch: number;
  }[];
  /** Absent from a daemon older than discovery. */
  discovery?: {
    name: string;
    provider: string;
    owner: string;
    state: string;
    listed: number;
    watched: number;
    lastReadAt?: string;
    nextReadAt?: string;
    lastError?: { code: string; message: string; failures: number };
    overlaps: { path: string; watchedBy: string }[];
  }[];
}

/** `reposentry status`: a running daemon's health, counts, queue, config and rate limits. */
export const statusCommand: CliCommand = {
  name: 'status',
  summary: "Show a running daemon's health, queue, config reload state and rate limits",
  usage: 'reposentry status [--server URL] [--token TOKEN] [--json]',
  options: API_CLIENT_OPTIONS,
  run: (args, io) =>
    runApiCommand('status', args, io, async (client) => {
      const s = await client.get<Status>('/api/v1/status');
      const d = s.deliveries.byStatus;
      const oldest =
        s.deliveries.oldestPendingAgeSeconds === null
          ? ''
          : `, oldest pending ${duration(s.deliveries.oldestPendingAgeSeconds)}`;
      const reload = s.config.lastReloadError
        ? `\n  last reload REJECTED ${when(s.config.lastReloadError.at)}:\n${s.config.lastReloadError.problems.map((p) => `    ${p}`).join('\n')}`
        : '';
      const lines = [
        `${s.name} ${s.version} at ${client.server}: ${s.ready ? 'ready' : 'NOT READY'}, ${s.health.status}, up ${duration(s.uptimeSeconds)}`,
        `config        ${s.config.file ?? '(embedded)'}, generation ${s.config.generation}${s.config.lastReloadAt ? `, reloaded ${when(s.config.lastReloadAt)}` : ''}${reload}`,
        `repositories  ${s.repositories.configured} configured, ${s.repositories.failing} failing, ${s.repositories.usingFallback} on the ls-remote fallback`,
        `events        ${s.events.total}`,
        `deliveries    ${d.pending ?? 0} pending, ${d.in_flight ?? 0} in flight, ${d.delivered ?? 0} delivered, ${d.failed ?? 0} failed${oldest}`,
        '',
      ];
      const components = formatTable(
        ['COMPONENT', 'STATUS', 'DETAIL'],
        Object.entries(s.health.components).map(([name, h]) => [name, h.status, h.message ?? '']),
      );
      const limits =
        s.rateLimits.length === 0
          ? ''
          : '\n' +
            formatTable(
              ['PROVIDER', 'HOST', 'TOKEN', 'REMAINING', 'RESETS'],
              s.rateLimits.map((r) => [
                r.provider,
                r.host,
                r.account,
                `${r.remaining}/${r.limit}`,
                when(r.resetAt),
              ]),
            );
      const entries = s.discovery ?? [];
      const discovery =
        entries.length === 0
          ? ''
          : '\n' +
            formatTable(
              [
                'DISCOVERY',
                'OWNER',
                'STATE',
                'WATCHED',
                'LISTED',
                'LAST READ',
                'NEXT READ',
                'NOTE',
              ],
              entries.map((e) => [
                e.name,
                `${e.provider}:${e.owner}`,
                e.state,
                String(e.watched),
                String(e.listed),
                when(e.lastReadAt ?? null),
                when(e.nextReadAt ?? null),
                e.lastError
                  ? `${e.lastError.code} x${e.lastError.failures}: ${e.lastError.message}`.slice(
                      0,
                      120,
                    )
                  : e.overlaps.length > 0
                    ? `${e.overlaps.length} already watched elsewhere`
                    : '',
              ]),
            );
      const forecasts = s.quota ?? [];
      const budget = (w: { demand: number; planned: number; budget: number | null }) =>
        `${Math.round(w.planned)} of ${w.budget === null ? 'no limit' : Math.round(w.budget)}${w.demand > w.planned ? ` (asked ${Math.round(w.demand)})` : ''}`;
      const quota =
        forecasts.length === 0
          ? ''
          : '\n' +
            formatTable(
              ['QUOTA', 'TOKEN', 'REPOS', 'PER MINUTE', 'PER HOUR', 'STRETCHED'],
              forecasts.map((f) => [
                `${f.provider}:${f.host}`,
                f.account,
                String(f.repositories),
                budget(f.minute),
                budget(f.hour),
                f.stretched === 0 ? '-' : `${f.stretched} (up to x${f.largestStretch})`,
              ]),
            );
      return { json: s, text: lines.join('\n') + components + limits + quota + discovery };
    }),
};
