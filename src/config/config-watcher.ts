import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logging/create-logger.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import { errorMessageOf } from '../errors/reposentry-error.js';
import { ConfigError } from './config-error.js';
import type { Config } from './config-types.js';
import { loadConfig } from './load-config.js';

export interface ConfigWatcherOptions {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly secrets: SecretRegistry;
  /** Called with each valid config that differs from the running one. */
  readonly onChange: (config: Config) => void | Promise<void>;
  /** Told the outcome of every reload attempt (metrics). */
  readonly onReload?: (outcome: ReloadOutcome) => void;
  /** Quiet time after the last file event before reloading; default 300 ms. */
  readonly debounceMs?: number;
  /** The config already loaded at start-up; loaded by start() when absent. */
  readonly initial?: Config;
  readonly cwd?: string;
  readonly now?: () => Date;
}

/** Reload state shown by /api/v1/status. */
export interface ReloadState {
  /** 1 for the start-up config, +1 for each applied change. */
  readonly generation: number;
  readonly lastReloadAt?: Date;
  readonly lastError?: { readonly at: Date; readonly problems: readonly string[] };
  readonly file: string;
}

export type ReloadOutcome = 'applied' | 'unchanged' | 'rejected';

/**
 * Reloads the config on reload() (SIGHUP) and when the config file or the repositories file
 * changes. Directories are watched, not files, so editors that replace the file and Kubernetes
 * ConfigMap symlink swaps are seen. An invalid file is logged once and the running config stays.
 */
export class ConfigWatcher implements Component {
  readonly name = 'config-watcher';
  private readonly options: ConfigWatcherOptions;
  private readonly file: string;
  private current: Config | undefined;
  private generation = 0;
  private lastReloadAt: Date | undefined;
  private lastError: { at: Date; problems: readonly string[] } | undefined;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(options: ConfigWatcherOptions) {
    this.options = options;
    this.file = path.resolve(options.cwd ?? process.cwd(), options.file);
    if (options.initial !== undefined) this.accept(options.initial);
  }

  /** The running config. */
  config(): Config {
    if (this.current === undefined) throw new Error('ConfigWatcher has not loaded a config yet');
    return this.current;
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.current === undefined) this.accept(await this.load());
    this.watchFiles();
  }

  async stop(_signal: AbortSignal): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.closeWatchers();
    await this.queue;
  }

  /** Reloads now (SIGHUP); reloads run one at a time, in order. */
  reload(): Promise<ReloadOutcome> {
    return this.enqueue('signal');
  }

  reloadState(): ReloadState {
    return {
      generation: this.generation,
      ...(this.lastReloadAt === undefined ? {} : { lastReloadAt: this.lastReloadAt }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      file: this.file,
    };
  }

  health(): ComponentHealth {
    if (this.stopped) return { status: 'stopped' };
    if (this.current === undefined) return { status: 'starting' };
    if (this.lastError !== undefined) {
      return {
        status: 'degraded',
        message: `config reload rejected (${this.lastError.problems.length} problems); running generation ${this.generation}`,
        details: { ...this.reloadState() },
      };
    }
    return { status: 'healthy', details: { generation: this.generation } };
  }

  private enqueue(trigger: 'signal' | 'file'): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.reloadOnce(trigger));
    this.queue = run.catch(() => undefined);
    return run.then((outcome) => {
      this.options.onReload?.(outcome);
      return outcome;
    });
  }

  private async reloadOnce(trigger: 'signal' | 'file'): Promise<ReloadOutcome> {
    const { log, secrets } = this.options;
    let next: Config;
    try {
      next = await this.load();
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems : [errorMessageOf(err)];
      const repeated = trigger === 'file' && sameList(this.lastError?.problems, problems);
      this.lastError = { at: this.now(), problems };
      if (!repeated) log.error('Config reload rejected', { problems, file: this.file, trigger });
      return 'rejected';
    }
    secrets.registerAll(next.secrets);
    this.lastError = undefined;
    if (this.current !== undefined && fingerprint(next) === fingerprint(this.current)) {
      log.debug('Config unchanged', { file: this.file, trigger });
      return 'unchanged';
    }
    this.accept(next);
    this.lastReloadAt = this.now();
    for (const warning of next.warnings) log.warn('Config warning', { warning });
    log.info('Config reloaded', {
      generation: this.generation,
      repositories: next.repositories.length,
      trigger,
    });
    this.watchFiles();
    try {
      await this.options.onChange(next);
    } catch (err) {
      log.error('Config change not applied', { generation: this.generation, error: err });
    }
    return 'applied';
  }

  private accept(config: Config): void {
    this.options.secrets.registerAll(config.secrets);
    this.current = config;
    this.generation += 1;
  }

  private load(): Promise<Config> {
    const { env, cwd } = this.options;
    return loadConfig({ file: this.file, env, ...(cwd === undefined ? {} : { cwd }) });
  }

  private watchFiles(): void {
    if (this.stopped) return;
    this.closeWatchers();
    const targets = [this.file, this.current?.source.repositoriesFile].filter(
      (file): file is string => file !== undefined,
    );
    const byDir = new Map<string, Set<string>>();
    for (const file of targets) {
      const names = byDir.get(path.dirname(file)) ?? new Set<string>();
      names.add(path.basename(file));
      byDir.set(path.dirname(file), names);
    }
    for (const [dir, names] of byDir) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // null names happen on some platforms; `..data` is a ConfigMap's atomic swap.
          if (name === null || names.has(name) || name.startsWith('..')) this.schedule();
        });
        watcher.on('error', (err) =>
          this.options.log.warn('Config watch failed', { dir, error: err }),
        );
        this.watchers.push(watcher);
      } catch (err) {
        this.options.log.warn('Config watch failed', { dir, error: err });
      }
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) void this.enqueue('file');
    }, this.options.debounceMs ?? 300);
  }

  private closeWatchers(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** A comparable rendering of everything in a config, secrets and regex sources included. */
function fingerprint(config: Config): string {
  return JSON.stringify(config, (_key, value: unknown) =>
    value instanceof RegExp ? value.toString() : value,
  );
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((item, i) => item === b[i]);
}
