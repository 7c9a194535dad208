/**
 * The events-API scenario's database: a large event history as a long-running daemon leaves it,
 * written before the daemon starts. The schema comes from the engine's own migrations (the
 * daemon's Storage, started once); the rows are then bulk-written with plain SQL in big batches
 * (seed-history-sqlite.ts, seed-history-postgres.ts), because the outbox write (one transaction
 * per poll) would take more than ten minutes for a million events. Both engines get the same
 * rows: the event with its deterministic id, one delivered delivery whose body and headers are
 * built by our payload builder, and its attempt; 0.1% of the deliveries failed after 9 attempts.
 */
import { createHash } from 'node:crypto';
import { eventIdOf, type ChangeEvent, type EventType } from '../src/events/change-event.js';
import { buildPayload } from '../src/trigger/payloads/build-payload.js';
import { VERSION } from '../src/version.js';
import type { BenchDatabase } from './bench-database.js';
import { repoName } from './bench-github.js';
import { writeHistoryPostgres } from './seed-history-postgres.js';
import { writeHistorySqlite } from './seed-history-sqlite.js';

export interface HistoryOptions {
  readonly events: number;
  readonly repositories: number;
  readonly targetUrl: string;
  readonly repoUrl: (name: string) => string;
}

export interface SeededHistory {
  readonly events: number;
  /** The repository with the most events, and how many. */
  readonly busiest: { readonly name: string; readonly events: number };
  /** A repository with a typical number of events, and how many. */
  readonly typical: { readonly name: string; readonly events: number };
  readonly maxSeq: number;
}

/** One event of the history with its delivery (and that delivery's attempts). */
export interface HistoryRow {
  /** 1-based position: the event's seq and its delivery's id on a fresh database. */
  readonly n: number;
  readonly id: string;
  readonly repository: string;
  readonly url: string;
  readonly ref: string;
  readonly type: EventType;
  readonly before: string | null;
  readonly after: string;
  readonly transition: number;
  readonly detectedAt: number;
  readonly status: 'delivered' | 'failed';
  readonly attempts: number;
  readonly statusCode: number;
  readonly error: string | null;
  readonly body: string;
  /** JSON of the headers, as the daemon stores them. */
  readonly headers: string;
  readonly updatedAt: number;
  readonly deliveredAt: number | null;
}

const DAY_MS = 86_400_000;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shaOf(i: number | string): string {
  return createHash('sha1').update(String(i)).digest('hex');
}

/**
 * `events` events over `repositories` repositories, spread over the last 7 days: half of them in
 * the busiest 1% of repositories, mostly branch updates of main, develop and release branches,
 * every 20th a new tag. Writes them to `database`; returns what the scenario queries.
 */
export async function seedHistory(
  database: BenchDatabase,
  options: HistoryOptions,
): Promise<SeededHistory> {
  const storage = database.openStorage();
  await storage.start();
  await storage.stop(new AbortController().signal);
  const counts = new Uint32Array(options.repositories);
  const rows = historyRows(options, counts, 20_000);
  const maxSeq =
    database.engine === 'sqlite'
      ? writeHistorySqlite(database.file, options.targetUrl, rows)
      : await writeHistoryPostgres(database.url, options.targetUrl, rows);
  let busiest = 0;
  for (let i = 1; i < counts.length; i += 1)
    if ((counts[i] ?? 0) > (counts[busiest] ?? 0)) busiest = i;
  const hot = Math.max(1, Math.floor(options.repositories / 100));
  const typicalIndex = Math.min(
    options.repositories - 1,
    hot + Math.floor((options.repositories - hot) / 2),
  );
  return {
    events: options.events,
    busiest: { name: repoName(busiest), events: counts[busiest] ?? 0 },
    typical: { name: repoName(typicalIndex), events: counts[typicalIndex] ?? 0 },
    maxSeq,
  };
}

/** The history in batches of `batch` rows, counting each repository's events in `counts`. */
function* historyRows(
  options: HistoryOptions,
  counts: Uint32Array,
  batch: number,
): Generator<HistoryRow[]> {
  const next = random(7);
  const hot = Math.max(1, Math.floor(options.repositories / 100));
  const last = new Map<string, string>();
  const transitions = new Map<string, number>();
  const start = Date.now() - 7 * DAY_MS;
  const step = (7 * DAY_MS) / options.events;
  let rows: HistoryRow[] = [];
  for (let i = 0; i < options.events; i += 1) {
    const index =
      next() < 0.5
        ? Math.floor(next() * hot)
        : hot + Math.floor(next() * Math.max(1, options.repositories - hot));
    const repoIndex = Math.min(index, options.repositories - 1);
    const repository = repoName(repoIndex);
    counts[repoIndex] = (counts[repoIndex] ?? 0) + 1;
    const pick = next();
    const tag = i % 20 === 19;
    const ref = tag
      ? `refs/tags/v1.${i}`
      : `refs/heads/${pick < 0.7 ? 'main' : pick < 0.9 ? 'develop' : 'release/1.x'}`;
    const type: EventType = tag ? 'tag.created' : 'branch.updated';
    const laneKey = `${repository}\n${ref}`;
    const before = tag ? null : (last.get(laneKey) ?? shaOf(-i - 1));
    const after = shaOf(i);
    last.set(laneKey, after);
    const transition = (transitions.get(laneKey) ?? 0) + 1;
    transitions.set(laneKey, transition);
    const detectedAt = Math.round(start + i * step);
    const url = options.repoUrl(repository);
    const event: ChangeEvent = {
      id: eventIdOf(repository, ref, before, after, transition),
      type,
      repository: { name: repository, url, provider: 'github' },
      ref,
      before,
      after,
      transition,
      detectedAt: new Date(detectedAt),
    };
    const payload = buildPayload('github', event, { version: VERSION, extraHeaders: {} });
    const failed = i % 1000 === 999;
    rows.push({
      n: i + 1,
      id: event.id,
      repository,
      url,
      ref,
      type,
      before,
      after,
      transition,
      detectedAt,
      status: failed ? 'failed' : 'delivered',
      attempts: failed ? 9 : 1,
      statusCode: failed ? 503 : 202,
      error: failed ? 'HTTP 503 (gave up after 9 attempts)' : null,
      body: payload.body,
      headers: JSON.stringify(payload.headers),
      updatedAt: detectedAt + 6,
      deliveredAt: failed ? null : detectedAt + 6,
    });
    if (rows.length === batch) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length > 0) yield rows;
}
