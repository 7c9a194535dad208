/**
 * Databases for the events-API and drain scenarios, written before the daemon starts.
 *
 * - `seedHistory`: a large event history as a long-running daemon leaves it. The schema comes
 *   from our own migrations (SqliteStorage.open); the rows are then bulk-inserted with plain SQL in
 *   big transactions, because the outbox write (one transaction per poll, ~0.7 ms) would take
 *   more than ten minutes for a million events. Each row is what the daemon writes: the event
 *   with its deterministic id, one delivered delivery whose body and headers are built by our
 *   payload builder, and its attempt. 0.1% of the deliveries failed.
 * - `seedPending`: deliveries an EventListener outage left pending, written through
 *   Storage.recordPoll (the outbox write the poller uses), due now.
 */
import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import winston from 'winston';
import { eventIdOf, type ChangeEvent, type EventType } from '../src/events/change-event.js';
import { createLogger } from '../src/logging/create-logger.js';
import { SecretRegistry } from '../src/logging/secret-registry.js';
import { SqliteStorage } from '../src/storage/sqlite-storage.js';
import { buildPayload } from '../src/trigger/payloads/build-payload.js';
import { VERSION } from '../src/version.js';
import { repoName } from './bench-github.js';

export interface SeededHistory {
  readonly events: number;
  /** The repository with the most events, and how many. */
  readonly busiest: { readonly name: string; readonly events: number };
  /** A repository with a typical number of events, and how many. */
  readonly typical: { readonly name: string; readonly events: number };
  readonly maxSeq: number;
}

const DAY_MS = 86_400_000;

function storageAt(file: string): SqliteStorage {
  const log = createLogger({
    level: 'error',
    format: 'json',
    secrets: new SecretRegistry(),
    transports: [new winston.transports.Console({ silent: true })],
  });
  return new SqliteStorage({ path: file, busyTimeoutMs: 5000, log });
}

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

function shaOf(i: number | string): string {
  return createHash('sha1').update(String(i)).digest('hex');
}

export function fileSizeWithWal(file: string): number {
  const size = (f: string): number => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return size(file) + size(`${file}-wal`);
}

/**
 * `events` events over `repositories` repositories, spread over the last 7 days: half of them in
 * the busiest 1% of repositories, mostly branch updates of main, develop and release branches,
 * every 20th a new tag.
 */
export function seedHistory(
  file: string,
  options: {
    events: number;
    repositories: number;
    targetUrl: string;
    repoUrl: (name: string) => string;
  },
): SeededHistory {
  const storage = storageAt(file);
  storage.open();
  storage.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertEvent = db.prepare(
    `INSERT INTO events (id, repository, repository_url, provider, ref, type, before_sha,
       after_sha, transition_number, detected_at) VALUES (?, ?, ?, 'github', ?, ?, ?, ?, ?, ?)`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (event_id, repository, ref, target_url, format, status, attempts,
       round_base_attempts, next_attempt_at, last_status_code, last_error, body, headers,
       created_at, queued_at, updated_at, delivered_at)
     VALUES (?, ?, ?, ?, 'github', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttempt = db.prepare(
    `INSERT INTO delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const next = random(7);
  const hot = Math.max(1, Math.floor(options.repositories / 100));
  const counts = new Uint32Array(options.repositories);
  const last = new Map<string, string>();
  const transitions = new Map<string, number>();
  const start = Date.now() - 7 * DAY_MS;
  const step = (7 * DAY_MS) / options.events;
  const batch = 20_000;
  for (let from = 0; from < options.events; from += batch) {
    db.transaction(() => {
      for (let i = from; i < Math.min(options.events, from + batch); i += 1) {
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
        insertEvent.run(
          event.id,
          repository,
          url,
          ref,
          type,
          before,
          after,
          transition,
          detectedAt,
        );
        const payload = buildPayload('github', event, { version: VERSION, extraHeaders: {} });
        const failed = i % 1000 === 999;
        const attempts = failed ? 9 : 1;
        const status = failed ? 503 : 202;
        const deliveredAt = detectedAt + 6;
        const deliveryId = insertDelivery.run(
          event.id,
          repository,
          ref,
          options.targetUrl,
          failed ? 'failed' : 'delivered',
          attempts,
          detectedAt,
          status,
          failed ? 'HTTP 503 (gave up after 9 attempts)' : null,
          payload.body,
          JSON.stringify(payload.headers),
          detectedAt,
          detectedAt,
          deliveredAt,
          failed ? null : deliveredAt,
        ).lastInsertRowid;
        for (let attempt = 1; attempt <= attempts; attempt += 1) {
          insertAttempt.run(
            deliveryId,
            attempt,
            detectedAt + attempt,
            status,
            5,
            failed ? 'HTTP 503' : null,
          );
        }
      }
    })();
  }
  db.exec(`INSERT INTO ref_transitions (repository, ref, last_number)
    SELECT repository, ref, max(transition_number) FROM events GROUP BY repository, ref`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const maxSeq = Number(db.prepare('SELECT max(seq) FROM events').pluck().get() ?? 0);
  db.close();
  let busiest = 0;
  for (let i = 1; i < counts.length; i += 1)
    if ((counts[i] ?? 0) > (counts[busiest] ?? 0)) busiest = i;
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

/**
 * `deliveries` pending deliveries to `targetUrl`, one per event, written by the outbox write of
 * the poller (Storage.recordPoll): four changes per repository, two on main and two on develop,
 * so ref lanes hold two deliveries each, as an outage of a few poll intervals leaves them.
 */
export async function seedPending(
  file: string,
  options: { deliveries: number; targetUrl: string; repoUrl: (name: string) => string },
): Promise<{ repositories: number }> {
  const storage = storageAt(file);
  await storage.start();
  const repositories = Math.ceil(options.deliveries / 4);
  const now = Date.now();
  const lanes = new Map<string, string>();
  const transitions = new Map<string, number>();
  try {
    for (let i = 0; i < options.deliveries; i += 1) {
      const name = repoName(i % repositories);
      const round = Math.floor(i / repositories);
      const ref = round % 2 === 0 ? 'refs/heads/main' : 'refs/heads/develop';
      const before = lanes.get(`${name} ${ref}`) ?? shaOf(`${name} ${ref}`);
      const after = shaOf(i);
      lanes.set(`${name} ${ref}`, after);
      const transition = (transitions.get(`${name} ${ref}`) ?? 0) + 1;
      transitions.set(`${name} ${ref}`, transition);
      const repository = { name, url: options.repoUrl(name), provider: 'github' as const };
      const polledAt = now - (options.deliveries - i);
      if (round === 0) await storage.repositories.track(repository, polledAt);
      await storage.recordPoll({
        repository,
        refs: { upsert: [{ ref, sha: after }], remove: [] },
        events: [
          {
            id: eventIdOf(name, ref, before, after, transition),
            type: 'branch.updated',
            repository,
            ref,
            before,
            after,
            transition,
            detectedAt: new Date(polledAt),
          },
        ],
        targets: [{ url: options.targetUrl, format: 'github' }],
        pollState: {
          polledAt,
          nextPollAt: polledAt + 60_000,
          via: 'api',
          baselined: { branch: true, tag: false },
        },
      });
    }
  } finally {
    await storage.stop();
  }
  return { repositories };
}
