import type { CliCommand } from './cli-command.js';
import { API_CLIENT_OPTIONS, type ApiClient } from './api-client.js';
import { formatTable, short, when } from './format-table.js';
import { UsageError, runApiCommand } from './run-api-command.js';

interface EventItem {
  id: string;
  repository: string;
  ref: string;
  refName: string;
  type: string;
  before: string | null;
  after: string | null;
  detectedAt: string;
  deliveries?: Record<string, number> | Delivery[];
  pullRequest?: {
    number: number;
    title?: string;
    url?: string;
    head: { ref?: string };
    base?: { ref: string };
  };
}

/** `#12 feature -> main` for a pull request event, else the branch or tag name. */
function refLabel(e: EventItem): string {
  const pull = e.pullRequest;
  if (pull === undefined) return e.refName;
  const branches = pull.head.ref && pull.base ? ` ${pull.head.ref} -> ${pull.base.ref}` : '';
  return `#${pull.number}${branches}`;
}
interface Delivery {
  id: number;
  targetUrl: string;
  format: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  attemptLog: {
    attempt: number;
    at: string;
    statusCode: number | null;
    latencyMs: number;
    error: string | null;
  }[];
}

const FILTERS = ['repository', 'ref', 'type', 'status', 'since', 'limit', 'cursor'] as const;

/**
 * `reposentry events [list] [filters]`, `reposentry events show ID`,
 * `reposentry events redeliver ID` (needs the API token).
 */
export const eventsCommand: CliCommand = {
  name: 'events',
  summary: 'List detected events, show one with its delivery attempts, or redeliver one',
  usage:
    'reposentry events [list] [--repository R] [--ref refs/heads/B] [--type T] [--status S] [--since TIME] [--limit N] [--cursor C]\n       reposentry events show ID\n       reposentry events redeliver ID\n       (all: [--server URL] [--token TOKEN] [--json])',
  options: {
    ...API_CLIENT_OPTIONS,
    repository: { type: 'string', short: 'r' },
    ref: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  },
  run: (args, io) =>
    runApiCommand('events', args, io, async (client) => {
      const [action = 'list', id, ...extra] = args.positionals;
      if (extra.length > 0) throw new UsageError(`unexpected ${JSON.stringify(extra[0])}`);
      if (action === 'list') {
        if (id !== undefined) throw new UsageError(`list takes no ID (did you mean show ${id}?)`);
        return list(client, args.values);
      }
      if (action !== 'show' && action !== 'redeliver')
        throw new UsageError(
          `unknown action ${JSON.stringify(action)}: use list, show or redeliver`,
        );
      if (id === undefined) throw new UsageError(`${action} needs an event ID`);
      const path = `/api/v1/events/${encodeURIComponent(id)}`;
      if (action === 'show') {
        const event = await client.get<EventItem & { deliveries: Delivery[] }>(path);
        return { json: event, text: detail(event) };
      }
      const result = await client.post<{ event: string; deliveries: Delivery[] }>(
        `${path}/redeliver`,
      );
      const text = `Queued ${result.deliveries.length} deliver${result.deliveries.length === 1 ? 'y' : 'ies'} of event ${result.event} again: ${result.deliveries.map((d) => d.targetUrl).join(', ')}\n`;
      return { json: result, text };
    }),
};

async function list(
  client: ApiClient,
  values: Record<string, unknown>,
): Promise<{ json: unknown; text: string }> {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = values[name];
    if (typeof value === 'string') query.set(name, value);
  }
  const qs = query.toString();
  const page = await client.get<{ events: EventItem[]; nextCursor?: string }>(
    `/api/v1/events${qs === '' ? '' : `?${qs}`}`,
  );
  const rows = page.events.map((e) => {
    const counts = (e.deliveries ?? {}) as Record<string, number>;
    const deliveries = Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${status}${n > 1 ? ` x${n}` : ''}`)
      .join(', ');
    return [
      when(e.detectedAt),
      e.repository,
      e.type,
      refLabel(e),
      `${short(e.before)}..${short(e.after)}`,
      deliveries || '-',
      e.id,
    ];
  });
  const more = page.nextCursor ? `\nolder events: --cursor ${page.nextCursor}\n` : '';
  const text =
    rows.length === 0
      ? 'No events match.\n'
      : formatTable(['DETECTED', 'REPOSITORY', 'TYPE', 'REF', 'CHANGE', 'DELIVERIES', 'ID'], rows) +
        more;
  return { json: page, text };
}

function detail(event: EventItem & { deliveries: Delivery[] }): string {
  const head = [
    `event     ${event.id}`,
    `type      ${event.type} ${event.ref}`,
    ...(event.pullRequest
      ? [
          `request   ${refLabel(event)} ${event.pullRequest.title ?? ''} ${event.pullRequest.url ?? ''}`.trimEnd(),
        ]
      : []),
    `change    ${event.before ?? '(none)'} -> ${event.after ?? '(deleted)'}`,
    `repo      ${event.repository}`,
    `detected  ${when(event.detectedAt)}`,
    '',
  ].join('\n');
  const deliveries = event.deliveries.map((d) => {
    const next =
      d.status === 'pending' && d.nextAttemptAt ? `, next attempt ${when(d.nextAttemptAt)}` : '';
    const attempts = formatTable(
      ['ATTEMPT', 'AT', 'HTTP', 'LATENCY', 'ERROR'],
      d.attemptLog.map((a) => [
        String(a.attempt),
        when(a.at),
        a.statusCode === null ? '-' : String(a.statusCode),
        `${a.latencyMs} ms`,
        a.error ?? '',
      ]),
    );
    return `delivery ${d.id} to ${d.targetUrl} (${d.format}): ${d.status}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${next}\n${attempts}`;
  });
  return head + (deliveries.length === 0 ? 'No deliveries.\n' : deliveries.join('\n'));
}
