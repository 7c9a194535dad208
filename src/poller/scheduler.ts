import type { Config, RepositoryConfig } from '../config/config-types.js';
import {
  ReposentryError,
  errorCodeOf,
  errorMessageOf,
  type ErrorCode,
} from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import type { Reconfigurable } from '../runtime/component.js';
import { timeoutSignal } from '../lib/timeout-signal.js';
import { currentInterval, longestInterval } from './adaptive-interval.js';

export type PollOutcome =
  | {
      readonly ok: true;
      /** The repository's last activity as stored after the poll (adaptive polling). */
      readonly activeAt?: number;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly retryAt?: Date };

/** Why a poll runs: its schedule, or someone asked (poll-now, a webhook's nudge). */
export interface PollCause {
  readonly asked: boolean;
}

/** Polls one repository once; never throws for a failed poll, it reports it. */
export type PollOne = (
  repository: RepositoryConfig,
  signal: AbortSignal,
  cause: PollCause,
) => Promise<PollOutcome>;

/**
 * Which repositories this process polls: all of the config's, unless replicas share them (then
 * those whose lease it holds). When the answer changes, its owner calls `Scheduler.reshare`.
 */
export interface PollShare {
  holds(repository: string): boolean;
}

export interface SchedulerOptions {
  readonly config: Config;
  /** The repositories this process polls (default: every enabled repository of the config). */
  readonly share?: PollShare;
  readonly pollOne: PollOne;
  readonly log: Logger;
  /** Called whenever a repository's next poll time is decided (to persist and show it). */
  readonly onScheduled?: (repository: string, nextPollAt: Date) => void;
  /**
   * The next poll times stored by an earlier run (what `onScheduled` persisted), read once at
   * start: a restart resumes the schedule instead of polling everything at once. A repository a
   * reload adds has none (it was not watched, so its stored state was forgotten).
   */
  readonly storedNextPollAts?: () => Promise<ReadonlyMap<string, number>>;
  /**
   * Awaited before each poll with the earliest time the next may start (start + interval), to
   * store it: a replica that takes the repository over when this one dies mid-poll reads it and
   * does not list again within the interval. A rejection fails the poll without listing.
   */
  readonly beforePoll?: (repository: string, earliestNextPollAt: Date) => Promise<void>;
  readonly random?: () => number;
  /** Upper bound of the failure backoff (never below the repository's own interval). */
  readonly maxFailureBackoffMs?: number;
}

export const REPOSITORY_POLL_STATES = ['scheduled', 'queued', 'polling'] as const;
export type RepositoryPollState = (typeof REPOSITORY_POLL_STATES)[number];

export interface ScheduleEntry {
  readonly repository: string;
  readonly state: RepositoryPollState;
  readonly nextPollAt?: Date;
  readonly consecutiveFailures: number;
  readonly lastCode?: ErrorCode;
  /** The repository's last activity as its last poll here stored it. */
  readonly activeAt?: number;
  /** The factor the quota governor stretches its interval by (absent: none). */
  readonly stretch?: number;
}

interface Slot {
  repo: RepositoryConfig;
  timer?: NodeJS.Timeout;
  nextPollAt?: Date;
  state: RepositoryPollState;
  failures: number;
  lastCode?: ErrorCode;
  lastStartedAt?: number;
  removed: boolean;
  /** A nudge waiting out NUDGE_DELAY_MS (see `nudge`). */
  nudgeTimer?: NodeJS.Timeout;
  /** A nudge came while the repository was being polled: poll again right after. */
  again?: boolean;
  /** The next poll was asked for (poll-now, a nudge): it snaps an idle interval back. */
  asked?: boolean;
  /** The repository's last activity, as its last poll stored it. */
  activeAt?: number;
}

/**
 * How long a nudge waits for more (a burst of webhooks for one repository is one poll). Short
 * beside any polling interval, and beside the second a webhook may take to reach a delivery.
 */
const NUDGE_DELAY_MS = 150;

/** How soon a due poll the share did not allow is tried again (until a reshare drops it). */
const UNHELD_RETRY_MS = 1000;

/** Why a repository is added: the start, a reload that added it, or a lease taken over. */
type AddedBy = 'start' | 'reload' | 'handover';

const DEFAULT_MAX_FAILURE_BACKOFF_MS = 30 * 60_000;
/** setTimeout's largest delay (about 24.8 days); a longer wait is armed in steps of it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Decides when each repository is polled: a repository polled before resumes its stored
 * schedule; at start an overdue or new one is polled within `jitter` of an interval (neither a
 * start nor a restart is a burst of every repository), after a reload at once; then every
 * interval with jitter; at most `polling.max_workers` polls in flight and never two of one repository;
 * each poll bounded by `polling.timeout`; a repository that keeps failing backs off
 * exponentially (capped, reset by a success) and a rate-limited one waits for the reset.
 */
export class Scheduler implements Component, Reconfigurable<Config> {
  readonly name = 'scheduler';
  private config: Config;
  private readonly slots = new Map<string, Slot>();
  private readonly queue: string[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private running = false;
  /** The quota governor's factors (see setStretch). */
  private stretch: ReadonlyMap<string, number> = new Map();

  constructor(private readonly options: SchedulerOptions) {
    this.config = options.config;
  }

  async start(): Promise<void> {
    this.running = true;
    const read = this.options.storedNextPollAts;
    const stored = read === undefined ? new Map<string, number>() : await read();
    if (!this.running) return;
    for (const repo of this.wanted().values()) {
      // A config applied while the stored times were read has added its repositories already.
      if (!this.slots.has(repo.name)) this.add(repo, 'start', stored.get(repo.name));
    }
  }

  /**
   * The share changed (a lease taken or handed over): polls the repositories it now holds, at
   * their stored next poll time (at once when overdue: its former holder may have died), and
   * stops scheduling those it no longer holds (a poll of one in flight finishes; its write
   * compares and sets the state it read).
   */
  async reshare(): Promise<void> {
    if (!this.running) return;
    const wanted = this.wanted();
    this.drop(wanted, 'Repository handed over to another replica');
    const added = [...wanted.values()].filter((repo) => !this.slots.has(repo.name));
    if (added.length === 0) return;
    const read = this.options.storedNextPollAts;
    const stored = read === undefined ? new Map<string, number>() : await read();
    for (const repo of added) {
      if (!this.running || this.slots.has(repo.name) || !this.wanted().has(repo.name)) continue;
      this.add(repo, 'handover', stored.get(repo.name));
      this.options.log.info('Repository taken over', { repo: repo.name });
    }
  }

  /** The enabled repositories of the config that this process polls. */
  private wanted(): Map<string, RepositoryConfig> {
    const share = this.options.share;
    return new Map(
      this.config.repositories
        .filter((r) => r.enabled && (share === undefined || share.holds(r.name)))
        .map((r) => [r.name, r]),
    );
  }

  /** Stops scheduling every repository not in `wanted`. */
  private drop(wanted: ReadonlyMap<string, RepositoryConfig>, message: string): void {
    for (const [name, slot] of this.slots) {
      if (wanted.has(name)) continue;
      clearTimeout(slot.timer);
      clearTimeout(slot.nudgeTimer);
      slot.removed = true;
      this.slots.delete(name);
      this.dequeue(name);
      this.options.log.info(message, { repo: name });
    }
  }

  /**
   * Stops scheduling and cancels polls in flight at once: a poll writes nothing until its final
   * transaction, so a cancelled poll loses nothing and is simply done again after the restart.
   */
  async stop(_signal: AbortSignal): Promise<void> {
    this.running = false;
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      clearTimeout(slot.nudgeTimer);
    }
    this.queue.length = 0;
    this.shutdown.abort(new ReposentryError('shutting-down', 'Shutting down'));
    await Promise.allSettled([...this.inFlight.values()]);
  }

  health(): ComponentHealth {
    const failing = [...this.slots.values()].filter((s) => s.failures > 0).length;
    const details = {
      repositories: this.slots.size,
      polling: this.inFlight.size,
      queued: this.queue.length,
      failing,
    };
    if (!this.running) return { status: 'stopped', details };
    if (failing > 0 && failing === this.slots.size) {
      return { status: 'unhealthy', message: 'every repository is failing', details };
    }
    if (failing > 0)
      return { status: 'degraded', message: `${failing} repositories failing`, details };
    return { status: 'healthy', details };
  }

  applyConfig(config: Config): void {
    const before = this.config;
    this.config = config;
    // Before start (or after stop) there is nothing scheduled: start reads the config.
    if (!this.running) return;
    const wanted = this.wanted();
    this.drop(wanted, 'Repository removed from polling');
    for (const [name, repo] of wanted) {
      const slot = this.slots.get(name);
      if (slot === undefined) {
        this.add(repo, 'reload');
        this.options.log.info('Repository added to polling', { repo: name });
        continue;
      }
      const previous = currentInterval(slot.repo, before.polling, slot.activeAt, Date.now());
      const next = currentInterval(repo, config.polling, slot.activeAt, Date.now());
      slot.repo = repo;
      // A new interval (the repository's own, or adaptive polling turned on or off) applies to
      // the poll already scheduled, counted from the last one's start.
      if (previous.intervalMs !== next.intervalMs && slot.state === 'scheduled') {
        const since = slot.lastStartedAt === undefined ? 0 : Date.now() - slot.lastStartedAt;
        this.schedule(slot, Math.max(0, next.intervalMs - since));
      }
    }
  }

  /** Polls a repository as soon as a worker is free; false when it is already queued or polling. */
  pollNow(name: string): boolean {
    const slot = this.slots.get(name);
    if (slot === undefined)
      throw new ReposentryError('not-found', `Repository '${name}' is not being polled`);
    // Asked for even when a poll is already queued: that poll snaps the interval back.
    slot.asked = true;
    if (slot.state !== 'scheduled') return false;
    clearTimeout(slot.timer);
    this.enqueue(slot, true);
    return true;
  }

  /**
   * Something said the repository changed (a webhook): poll it soon. Nudges within
   * NUDGE_DELAY_MS of the first are one poll; a nudge while a poll is already queued adds
   * nothing, and one while a poll runs (which may have listed before the change) makes one more
   * poll right after it. A repository in failure backoff waits it out. False when the
   * repository is not polled here.
   */
  nudge(name: string): boolean {
    const slot = this.slots.get(name);
    if (slot === undefined || !this.running) return false;
    // A repository that keeps failing (or waits for a rate-limit reset) keeps its backoff:
    // webhooks must not turn it into a poll per hook.
    if (slot.nudgeTimer !== undefined || slot.failures > 0) return true;
    slot.nudgeTimer = setTimeout(() => {
      delete slot.nudgeTimer;
      if (slot.removed || !this.running) return;
      slot.asked = true;
      if (slot.state === 'scheduled') {
        clearTimeout(slot.timer);
        this.enqueue(slot, true);
      } else if (slot.state === 'polling') {
        slot.again = true;
      }
    }, NUDGE_DELAY_MS);
    return true;
  }

  /**
   * The quota governor's plan: each listed repository's interval is multiplied by its factor
   * from its next scheduling on; one whose factor shrank and whose poll is already scheduled
   * further out than that allows is moved closer at once.
   */
  setStretch(stretch: ReadonlyMap<string, number>): void {
    const before = this.stretch;
    this.stretch = stretch;
    if (!this.running) return;
    const now = Date.now();
    for (const slot of this.slots.values()) {
      const name = slot.repo.name;
      const factor = finiteFactor(stretch.get(name));
      if (
        slot.state !== 'scheduled' ||
        slot.failures > 0 ||
        factor >= finiteFactor(before.get(name))
      ) {
        continue;
      }
      const interval =
        currentInterval(slot.repo, this.config.polling, slot.activeAt, now).intervalMs * factor;
      const since = slot.lastStartedAt === undefined ? interval : now - slot.lastStartedAt;
      const due = Math.max(0, interval - since);
      if ((slot.nextPollAt?.getTime() ?? 0) > now + due) this.schedule(slot, due);
    }
  }

  /** The repositories being polled or queued now, or due within `withinMs`. */
  busy(withinMs: number): string[] {
    const until = Date.now() + withinMs;
    return [...this.slots.values()]
      .filter(
        (slot) => slot.state !== 'scheduled' || (slot.nextPollAt?.getTime() ?? Infinity) <= until,
      )
      .map((slot) => slot.repo.name);
  }

  entries(): ScheduleEntry[] {
    return [...this.slots.values()].map((slot) => this.entryOf(slot));
  }

  entry(name: string): ScheduleEntry | undefined {
    const slot = this.slots.get(name);
    return slot && this.entryOf(slot);
  }

  private entryOf(slot: Slot): ScheduleEntry {
    return {
      repository: slot.repo.name,
      state: slot.state,
      consecutiveFailures: slot.failures,
      ...(slot.nextPollAt ? { nextPollAt: slot.nextPollAt } : {}),
      ...(slot.lastCode ? { lastCode: slot.lastCode } : {}),
      ...(slot.activeAt === undefined ? {} : { activeAt: slot.activeAt }),
      ...stretchOf(this.stretch.get(slot.repo.name)),
    };
  }

  private add(repo: RepositoryConfig, by: AddedBy, stored?: number): void {
    const slot: Slot = { repo, state: 'scheduled', failures: 0, removed: false };
    this.slots.set(repo.name, slot);
    this.schedule(slot, this.firstDelay(repo, by, stored));
  }

  /**
   * When a repository just added is first polled: at its stored next poll time when that is
   * ahead (at most one jittered interval away, so a shortened interval applies at once). Else
   * (overdue, or never polled) at once when a reload added it (a config change takes effect at
   * once) or a lease was taken over (its former holder may have died), and at a random point within `jitter` of its interval at start, so that a start or a
   * restart is not a burst of every repository.
   */
  private firstDelay(repo: RepositoryConfig, by: AddedBy, stored?: number): number {
    const random = this.options.random ?? Math.random;
    const spread = repo.pollingIntervalMs * this.config.polling.jitter;
    const due = stored === undefined ? 0 : stored - Date.now();
    const longest = longestInterval(repo, this.config.polling);
    if (due > 0) return Math.round(Math.min(due, longest + longest * this.config.polling.jitter));
    return by === 'start' ? Math.round(random() * spread) : 0;
  }

  private schedule(slot: Slot, delayMs: number): void {
    clearTimeout(slot.timer);
    if (!this.running || slot.removed) return;
    slot.state = 'scheduled';
    slot.nextPollAt = new Date(Date.now() + delayMs);
    this.arm(slot);
    try {
      this.options.onScheduled?.(slot.repo.name, slot.nextPollAt);
    } catch (err) {
      // Only a display of the next poll time: the poll itself is scheduled either way.
      this.options.log.warn('Could not record the next poll time', {
        repo: slot.repo.name,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    }
  }

  /** Tries a poll the share did not allow again in a second, moving nothing stored. */
  private defer(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.state = 'scheduled';
    slot.timer = setTimeout(() => this.enqueue(slot, false), UNHELD_RETRY_MS);
  }

  /** Sets the slot's timer for its next poll, in steps when it is further than a timer reaches. */
  private arm(slot: Slot): void {
    const dueAt = slot.nextPollAt?.getTime() ?? Date.now();
    const wait = Math.max(0, dueAt - Date.now());
    slot.timer =
      wait > MAX_TIMER_MS
        ? setTimeout(() => this.arm(slot), MAX_TIMER_MS)
        : setTimeout(() => this.enqueue(slot, false), wait);
  }

  private enqueue(slot: Slot, front: boolean): void {
    if (!this.running || slot.removed || slot.state !== 'scheduled') return;
    slot.state = 'queued';
    if (front) this.queue.unshift(slot.repo.name);
    else this.queue.push(slot.repo.name);
    this.drain();
  }

  private dequeue(name: string): void {
    const index = this.queue.indexOf(name);
    if (index >= 0) this.queue.splice(index, 1);
  }

  private drain(): void {
    while (this.running && this.inFlight.size < this.config.polling.maxWorkers) {
      // A repository re-added while its old poll still runs waits in the queue for it.
      const index = this.queue.findIndex((name) => !this.inFlight.has(name));
      if (index < 0) return;
      const [name] = this.queue.splice(index, 1);
      const slot = name === undefined ? undefined : this.slots.get(name);
      if (slot === undefined) continue;
      const share = this.options.share;
      if (share !== undefined && !share.holds(slot.repo.name)) {
        // Its lease lapsed (heartbeats failing) or moved: never poll without it. Look again
        // shortly, keeping the stored next poll time (a replica taking it over reads that).
        this.defer(slot);
        continue;
      }
      const run = this.run(slot)
        .catch((err: unknown) => {
          this.options.log.error('Poll crashed', {
            repo: slot.repo.name,
            code: errorCodeOf(err),
            error: errorMessageOf(err),
          });
        })
        .finally(() => {
          this.inFlight.delete(slot.repo.name);
          this.drain();
        });
      this.inFlight.set(slot.repo.name, run);
    }
  }

  private async run(slot: Slot): Promise<void> {
    slot.state = 'polling';
    slot.lastStartedAt = Date.now();
    const repo = slot.repo;
    const deadline = timeoutSignal(this.config.polling.timeoutMs, this.shutdown.signal);
    const signal = deadline.signal;
    let outcome: PollOutcome;
    const asked = slot.asked === true;
    slot.asked = false;
    try {
      outcome =
        (await this.storeEarliestNext(slot)) ??
        (await this.options.pollOne(repo, signal, { asked }));
    } catch (err) {
      this.options.log.error('Poll crashed', {
        repo: repo.name,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
      outcome = { ok: false, code: errorCodeOf(err) };
    } finally {
      deadline.dispose();
    }
    if (outcome.ok) {
      slot.failures = 0;
      delete slot.lastCode;
      if (outcome.activeAt !== undefined) slot.activeAt = outcome.activeAt;
    } else {
      slot.failures += 1;
      slot.lastCode = outcome.code;
    }
    // A successful poll's interval runs from its start, so the time it took is not added to
    // every interval (a failure's backoff runs from its end).
    const took = outcome.ok ? Date.now() - (slot.lastStartedAt ?? Date.now()) : 0;
    const again = slot.again === true;
    slot.again = false;
    this.schedule(slot, again ? 0 : Math.max(0, this.nextDelay(slot, outcome) - took));
  }

  /** Awaits `beforePoll`; a failure is the poll's outcome (nothing is listed without it). */
  private async storeEarliestNext(slot: Slot): Promise<PollOutcome | undefined> {
    const before = this.options.beforePoll;
    if (before === undefined) return undefined;
    try {
      await before(slot.repo.name, new Date(Date.now() + slot.repo.pollingIntervalMs));
      return undefined;
    } catch (err) {
      this.options.log.warn('Poll skipped: could not store its start', {
        repo: slot.repo.name,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
      return { ok: false, code: errorCodeOf(err) };
    }
  }

  private nextDelay(slot: Slot, outcome: PollOutcome): number {
    const interval = outcome.ok
      ? currentInterval(slot.repo, this.config.polling, slot.activeAt, Date.now()).intervalMs *
        finiteFactor(this.stretch.get(slot.repo.name))
      : slot.repo.pollingIntervalMs;
    const random = this.options.random ?? Math.random;
    const jittered = interval * (1 + (random() * 2 - 1) * this.config.polling.jitter);
    if (outcome.ok) return Math.round(jittered);
    const cap = Math.max(
      interval,
      this.options.maxFailureBackoffMs ?? DEFAULT_MAX_FAILURE_BACKOFF_MS,
    );
    const backoff = Math.min(jittered * 2 ** (slot.failures - 1), cap);
    const untilReset = outcome.retryAt ? outcome.retryAt.getTime() - Date.now() : 0;
    return Math.round(Math.max(backoff, untilReset));
  }
}

function stretchOf(factor: number | undefined): { stretch?: number } {
  return factor === undefined ? {} : { stretch: factor };
}

/** A stretch factor as the schedule uses it: 1 for none, or for one that is not a number. */
function finiteFactor(factor: number | undefined): number {
  return factor !== undefined && Number.isFinite(factor) && factor > 1 ? factor : 1;
}
