import type { Config, DiscoveryConfig } from '../config/config-types.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { GitClientSet } from '../gitclient/index.js';
import { discoveryCacheKey } from '../gitclient/owner-repository-listing.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import type { DiscoveryListRecord, DiscoveryListWrite } from '../storage/discovery-list-record.js';
import type { Storage } from '../storage/storage.js';
import { sourceOf } from './source-of.js';
import { discoveryStatusOf, type DiscoveryEntryStatus } from './discovery-status.js';
import { nextListing, readListedRepositories } from './listed-repository.js';
import { listedOf, storedListOf } from './stored-lists.js';
import { withDiscovered, type EntryContribution } from './with-discovered.js';

/** The longest a read of one owner's list may take (all pages, rate-limit waits included). */
export const MIN_READ_TIMEOUT_MS = 60_000;
/** The first wait after a failed read; it doubles per failure, up to the entry's interval. */
export const FIRST_RETRY_MS = 30_000;

export interface DiscoveryRunnerOptions {
  readonly storage: Pick<Storage, 'discoveryLists' | 'httpCache'>;
  /** The config as loaded from the file(s), without anything found. */
  readonly config: Config;
  /** The running git clients (the polls' quota and HTTP cache). */
  readonly lister: () => Pick<GitClientSet, 'listOwnerRepositories'>;
  readonly log: Logger;
  /** Whether this process reads the lists (the leading replica; always without replicas). */
  readonly leads: () => boolean;
  /** The config to run changed: the file's, with what the stored lists hold. */
  readonly onConfig: (config: Config) => Promise<void>;
  /** This process stored a list (tell the other replicas: `refresh`). */
  readonly onStored?: () => void;
  /** How often a replica that does not read looks at the stored lists (undefined: never). */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

/**
 * The `discovery` entries at work: the leader reads each owner's list every `interval` (a reload
 * reads at once), merges it into the stored one (a repository is dropped only when two complete
 * reads in a row miss it) and stores it; every replica runs the file's config plus what the
 * stored lists hold. A failed read keeps the last good list and is shown with its code.
 */
export class DiscoveryRunner implements Component {
  readonly name = 'discovery';
  private fileConfig: Config;
  private readonly stored = new Map<string, DiscoveryListRecord>();
  private contributions: ReadonlyMap<string, EntryContribution> = new Map();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly nextReadAt = new Map<string, number>();
  private readonly reads = new Map<string, Promise<void>>();
  /** Entries to read again as soon as their read under way ends (a reload came meanwhile). */
  private readonly rereads = new Set<string>();
  private readonly reportedOverlaps = new Set<string>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private applied = '';
  private running = false;
  private shutdown = new AbortController();
  private readonly now: () => number;

  constructor(private readonly options: DiscoveryRunnerOptions) {
    this.fileConfig = options.config;
    this.now = options.now ?? Date.now;
    // The daemon starts on the file's config: a start with nothing stored changes nothing.
    this.applied = signatureOf(options.config);
  }

  async start(): Promise<void> {
    this.running = true;
    this.shutdown = new AbortController();
    await this.loadStored();
    await this.apply(false);
    if (this.options.leads()) await this.forgetRemovedEntries();
    this.scheduleAll(false);
    this.scheduleRefresh();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.refreshTimer);
    this.shutdown.abort();
    await Promise.allSettled([...this.reads.values()]);
  }

  health(): ComponentHealth {
    const entries = this.status();
    const failing = entries.filter((entry) => entry.lastError !== undefined).map((e) => e.name);
    const details = { entries: entries.length, failing: failing.length };
    if (!this.running) return { status: 'stopped', details };
    if (failing.length > 0) {
      return {
        status: 'degraded',
        message: `discovery failing: ${failing.join(', ')} (their last lists are kept)`,
        details,
      };
    }
    return { status: 'healthy', details };
  }

  /** A new config from the file: applied at once with the stored lists, then every list read. */
  async reload(config: Config): Promise<void> {
    this.fileConfig = config;
    if (!this.running) return;
    await this.apply(true);
    if (this.options.leads()) await this.forgetRemovedEntries();
    // A read under way used the settings before the reload: read again once it ends.
    for (const name of this.reads.keys()) this.rereads.add(name);
    this.scheduleAll(true);
  }

  /** This process came to lead: it reads the lists from now on, each when it falls due. */
  async lead(): Promise<void> {
    if (!this.running) return;
    await this.refresh();
    await this.forgetRemovedEntries();
    this.scheduleAll(false);
  }

  /** Another replica stored a list: read the stored lists again. */
  async refresh(): Promise<void> {
    if (!this.running) return;
    const before = generationsOf(this.stored);
    await this.loadStored();
    if (generationsOf(this.stored) !== before) await this.apply(false);
  }

  /** Each entry's state, for /api/v1/status and `reposentry status`. */
  status(): DiscoveryEntryStatus[] {
    return this.fileConfig.discovery.map((entry) =>
      discoveryStatusOf({
        entry,
        stored: this.currentList(entry),
        contribution: this.contributions.get(entry.name),
        nextReadAt: this.options.leads() ? this.nextReadAt.get(entry.name) : undefined,
      }),
    );
  }

  /**
   * Reads one entry's list now when this process reads the lists (the timers call it); on a
   * replica that does not, reads the stored lists instead.
   */
  readNow(name: string): Promise<void> {
    if (!this.options.leads()) return this.refresh();
    const running = this.reads.get(name);
    if (running !== undefined) return running;
    const entry = this.fileConfig.discovery.find((e) => e.name === name);
    if (entry === undefined) return Promise.resolve();
    const read = this.read(entry)
      .catch((err: unknown) => {
        this.options.log.warn('Discovery list could not be stored', {
          entry: name,
          code: errorCodeOf(err),
          error: errorMessageOf(err),
        });
      })
      .finally(() => {
        this.reads.delete(name);
        const current = this.fileConfig.discovery.find((e) => e.name === name);
        const again = this.rereads.delete(name);
        if (current !== undefined) this.schedule(current, again ? 0 : undefined);
      });
    this.reads.set(name, read);
    return read;
  }

  /**
   * Reads the stored lists into memory, keeping of each the newer generation: a query answered
   * after this process saved a list may be older than that save (PostgreSQL), and an older list
   * must never replace a newer one. Lists only deleted here (forgetRemovedEntries) go.
   */
  private async loadStored(): Promise<void> {
    const lists = await this.options.storage.discoveryLists.list();
    for (const list of lists) {
      const known = this.stored.get(list.entry);
      if (known === undefined || known.generation <= list.generation) {
        this.stored.set(list.entry, list);
      }
    }
  }

  private currentList(entry: DiscoveryConfig): DiscoveryListRecord | undefined {
    return storedListOf(entry, this.stored, this.fileConfig.discovery);
  }

  /** Hands the config with what the stored lists hold to the daemon (when it changed, or `force`). */
  private async apply(force: boolean): Promise<void> {
    const lists = listedOf(this.fileConfig, this.stored);
    const merged = withDiscovered(this.fileConfig, lists);
    this.contributions = merged.entries;
    this.reportOverlaps();
    const signature = signatureOf(merged.config);
    if (!force && signature === this.applied) return;
    this.applied = signature;
    await this.options.onConfig(merged.config);
  }

  /** Logs each overlap the first time it is seen (and again after it went away and came back). */
  private reportOverlaps(): void {
    const seen = new Set<string>();
    for (const [name, contribution] of this.contributions) {
      for (const overlap of contribution.overlaps) {
        const key = `${name}\u0000${overlap.path}\u0000${overlap.watchedBy}\u0000${overlap.reason}`;
        seen.add(key);
        if (this.reportedOverlaps.has(key)) continue;
        this.options.log.warn(
          overlap.reason === 'url'
            ? 'Discovered repository already watched: the first one listed wins'
            : 'Discovered repository has the name of another: left out',
          { entry: name, repo: overlap.path, watchedBy: overlap.watchedBy },
        );
      }
      for (const rejected of contribution.rejected) {
        const key = `${name}\u0000${rejected.path}\u0000rejected`;
        seen.add(key);
        if (this.reportedOverlaps.has(key)) continue;
        this.options.log.warn('Discovered repository left out: its settings are not valid', {
          entry: name,
          repo: rejected.path,
          problems: rejected.problems.join('; '),
        });
      }
    }
    this.reportedOverlaps.clear();
    for (const key of seen) this.reportedOverlaps.add(key);
  }

  /** Deletes the stored lists of entries no longer configured, with their cached pages. */
  private async forgetRemovedEntries(): Promise<void> {
    const names = this.fileConfig.discovery.map((entry) => entry.name);
    const { discoveryLists, httpCache } = this.options.storage;
    try {
      // A renamed entry (same owner, no list of its own) takes the old name's list first.
      for (const entry of this.fileConfig.discovery) {
        if (this.stored.has(entry.name)) continue;
        const adopted = this.currentList(entry);
        if (adopted === undefined) continue;
        const { generation: _old, ...list } = adopted;
        if (await discoveryLists.save({ ...list, entry: entry.name }, undefined)) {
          this.stored.set(entry.name, { ...list, entry: entry.name, generation: 1 });
          this.options.log.info('Discovery entry renamed: it keeps the list it had', {
            entry: entry.name,
            was: adopted.entry,
          });
        }
      }
      const gone = await discoveryLists.retain(names);
      const inUse = new Set(this.fileConfig.discovery.map((entry) => discoveryCacheKey(entry)));
      for (const list of gone) {
        this.stored.delete(list.entry);
        // Pages another entry of the same owner still reads are kept.
        if (!inUse.has(list.sourceKey)) await httpCache.clear(list.sourceKey);
        this.options.log.info('Discovery entry removed: its list is forgotten', {
          entry: list.entry,
        });
      }
    } catch (err) {
      this.options.log.warn('Could not forget removed discovery entries', {
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    }
  }

  private scheduleAll(now: boolean): void {
    for (const [name, timer] of this.timers) {
      if (!this.fileConfig.discovery.some((entry) => entry.name === name)) {
        clearTimeout(timer);
        this.timers.delete(name);
        this.nextReadAt.delete(name);
      }
    }
    for (const entry of this.fileConfig.discovery) this.schedule(entry, now ? 0 : undefined);
  }

  /** Sets the entry's timer: at `inMs`, else when its list falls due (at once when never read). */
  private schedule(entry: DiscoveryConfig, inMs?: number): void {
    if (!this.running) return;
    clearTimeout(this.timers.get(entry.name));
    const delay = inMs ?? this.dueIn(entry);
    this.nextReadAt.set(entry.name, this.now() + delay);
    const timer = setTimeout(() => {
      this.timers.delete(entry.name);
      const current = this.fileConfig.discovery.find((e) => e.name === entry.name);
      if (current === undefined || !this.running) return;
      if (!this.options.leads()) {
        // Another replica reads it; look again an interval later (leading may change by then).
        this.schedule(current, current.intervalMs);
        return;
      }
      void this.readNow(current.name);
    }, delay);
    timer.unref();
    this.timers.set(entry.name, timer);
  }

  private dueIn(entry: DiscoveryConfig): number {
    const list = this.currentList(entry);
    if (list?.readAt === undefined && list?.failure === undefined) return 0;
    const now = this.now();
    const failure = list.failure;
    if (failure !== undefined && (list.readAt === undefined || failure.at >= list.readAt)) {
      const wait = Math.min(
        entry.intervalMs,
        FIRST_RETRY_MS * 2 ** Math.min(failure.count - 1, 20),
      );
      return Math.max(0, failure.at + wait - now);
    }
    return Math.max(0, (list.readAt ?? now) + entry.intervalMs - now);
  }

  private scheduleRefresh(): void {
    const every = this.options.refreshMs;
    if (every === undefined || !this.running) return;
    this.refreshTimer = setTimeout(() => {
      void this.refresh()
        .catch((err: unknown) =>
          this.options.log.warn('Could not read the stored discovery lists', {
            code: errorCodeOf(err),
            error: errorMessageOf(err),
          }),
        )
        .finally(() => this.scheduleRefresh());
    }, every);
    this.refreshTimer.unref();
  }

  private async read(entry: DiscoveryConfig): Promise<void> {
    const source = sourceOf(entry);
    const sourceKey = discoveryCacheKey(source);
    const { log } = this.options;
    const startedAt = this.now();
    let write: DiscoveryListWrite;
    // Read the stored row again: another replica may have written it since.
    await this.loadStored().catch(() => undefined);
    const previous = this.stored.get(entry.name);
    const same = this.currentList(entry);
    try {
      const listing = await this.options.lister().listOwnerRepositories(source, {
        signal: this.shutdown.signal,
        timeoutMs: Math.max(this.fileConfig.polling.timeoutMs, MIN_READ_TIMEOUT_MS),
      });
      const next = nextListing(
        readListedRepositories(same?.repositories ?? []),
        listing.repositories,
      );
      write = { entry: entry.name, sourceKey, repositories: next.repositories, readAt: this.now() };
      const fields = {
        entry: entry.name,
        listed: listing.repositories.length,
        unchanged: listing.unchanged,
        durationMs: this.now() - startedAt,
      };
      if (next.added.length + next.dropped.length + next.missing.length > 0) {
        log.info('Discovery list read', {
          ...fields,
          added: next.added.length,
          dropped: next.dropped.length,
          missingOnce: next.missing.length,
        });
      } else {
        log.debug('Discovery list read', fields);
      }
    } catch (err) {
      if (!this.running) return;
      const count = (same?.failure?.count ?? 0) + 1;
      write = {
        entry: entry.name,
        sourceKey,
        repositories: same?.repositories ?? [],
        ...(same?.readAt === undefined ? {} : { readAt: same.readAt }),
        failure: { code: errorCodeOf(err), message: errorMessageOf(err), at: this.now(), count },
      };
      const fields = {
        entry: entry.name,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
        failures: count,
        kept: readListedRepositories(same?.repositories ?? []).length,
      };
      if (count === 1) log.warn('Discovery read failed: the last list is kept', fields);
      else log.debug('Discovery read failed again', fields);
    }
    if (!this.running) return;
    const saved = await this.options.storage.discoveryLists.save(write, previous?.generation);
    if (!saved) {
      log.info('Discovery list written by another replica meanwhile: reading the stored one', {
        entry: entry.name,
      });
      await this.refresh();
      return;
    }
    if (previous !== undefined && previous.sourceKey !== sourceKey) {
      await this.options.storage.httpCache.clear(previous.sourceKey);
    }
    this.stored.set(entry.name, { ...write, generation: (previous?.generation ?? 0) + 1 });
    await this.apply(false);
    this.options.onStored?.();
  }
}

/** What a config watches, as far as discovery changes it. */
function signatureOf(config: Config): string {
  return JSON.stringify(
    config.repositories.map((repo) => [repo.name, repo.url, repo.source ?? '']),
  );
}

/** The stored lists' generations, to tell whether a look at storage found anything new. */
function generationsOf(stored: ReadonlyMap<string, DiscoveryListRecord>): string {
  return JSON.stringify([...stored.values()].map((list) => [list.entry, list.generation]));
}
