/**
 * What the crash scenarios (crash-loop.ts, replica-crash-loop.ts) check at the end, on either
 * engine: every ref's events numbered 1, 2, 3 ... in an unbroken chain ending at the ref's real
 * sha, every event delivered, repeats of an earlier transition and duplicate deliveries counted.
 */
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';

/** An event as the outcome needs it: `EVENTS_SQL`'s rows. */
export interface EventRow {
  id: string;
  repository: string;
  ref: string;
  before: string | null;
  after: string | null;
  transition: number;
}

/** Every recorded event, in the order recorded (the same SQL on SQLite and PostgreSQL). */
export const EVENTS_SQL = `SELECT id, repository, ref, before_sha AS before, after_sha AS after,
  transition_number AS transition FROM events ORDER BY seq`;

export interface CrashOutcome {
  readonly events: number;
  /** Events whose (repository, ref, before, after) an earlier event had: repeats that fired. */
  readonly repeated: number;
  readonly delivered: number;
  /** Deliveries the receiver got more than once (same event id). */
  readonly duplicates: number;
  /** Refs whose event chain is broken or does not end at the ref's sha: must be empty. */
  readonly brokenChains: string[];
  /** Events recorded but never received: must be empty. */
  readonly undelivered: string[];
  readonly badSignatures: number;
}

/**
 * The outcome of a run from its events, the refs the repositories really have at the end
 * (repository name -> ref -> sha) and what the receiver got.
 */
export function crashOutcome(
  events: readonly EventRow[],
  actual: ReadonlyMap<string, ReadonlyMap<string, string>>,
  receiver: WebhookReceiver,
): CrashOutcome {
  const received = new Map<string, number>();
  for (const id of receiver.deliveredIds()) received.set(id, (received.get(id) ?? 0) + 1);
  const seen = new Set<string>();
  let repeated = 0;
  for (const e of events) {
    const key = [e.repository, e.ref, e.before, e.after].join(' ');
    if (seen.has(key)) repeated += 1;
    seen.add(key);
  }
  return {
    events: events.length,
    repeated,
    delivered: received.size,
    duplicates: [...received.values()].reduce((sum, n) => sum + (n - 1), 0),
    brokenChains: brokenChains(events, actual),
    undelivered: events.filter((e) => !received.has(e.id)).map((e) => e.id),
    badSignatures: receiver.requests.filter((r) => r.signatureValid !== true).length,
  };
}

/**
 * Every ref's events numbered 1, 2, 3 ... in the order recorded (each transition once, none
 * twice or skipped), each starting where the previous ended, the last ending at the ref's real
 * sha (or its deletion).
 */
function brokenChains(
  events: readonly EventRow[],
  actual: ReadonlyMap<string, ReadonlyMap<string, string>>,
): string[] {
  const broken: string[] = [];
  const byRef = new Map<string, EventRow[]>();
  for (const e of events) {
    const key = `${e.repository} ${e.ref}`;
    byRef.set(key, [...(byRef.get(key) ?? []), e]);
  }
  for (const [key, chain] of byRef) {
    chain.forEach((e, k) => {
      if (e.transition !== k + 1) broken.push(`${key}: event ${k} has transition ${e.transition}`);
    });
    for (let k = 1; k < chain.length; k += 1) {
      if (chain[k]!.before !== chain[k - 1]!.after)
        broken.push(
          `${key}: event ${k} starts at ${chain[k]!.before}, previous ended at ${chain[k - 1]!.after}`,
        );
    }
    const last = chain.at(-1)!;
    const real = actual.get(last.repository)?.get(last.ref) ?? null;
    if (last.after !== real)
      broken.push(`${key}: last event ends at ${last.after}, ref is at ${real ?? 'deleted'}`);
  }
  return broken;
}
