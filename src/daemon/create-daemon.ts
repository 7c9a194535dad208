import { ApiServer } from '../api/api-server.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Config } from '../config/config-types.js';
import { ConfigWatcher } from '../config/config-watcher.js';
import type { Logger } from '../logging/create-logger.js';
import { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import type { PollReport } from '../poller/poll-report.js';
import { QuotaGovernor } from '../poller/quota-governor.js';
import { Scheduler } from '../poller/scheduler.js';
import { NextPollWriter } from './next-poll-writer.js';
import type { Component } from '../runtime/component.js';
import { RuntimeManager } from '../runtime/runtime-manager.js';
import { RetentionPruner } from '../storage/retention-pruner.js';
import { createStorage } from '../storage/create-storage.js';
import type { Storage } from '../storage/storage.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-attempt-report.js';
import type { DeliveryWorker } from '../trigger/delivery-worker.js';
import type { DeliverySummary } from '../storage/delivery-record.js';
import { buildDelivery } from './build-delivery.js';
import { readPushDetailsThrough } from './read-push-details.js';
import { buildPoller } from './build-poller.js';
import { deliveryChangeMessage } from './delivery-change-message.js';
import { EventFeed, type FeedMessage } from '../api/event-feed.js';
import { newReplicaIdentity } from '../replicas/replica-identity.js';
import { VERSION } from '../version.js';
import { buildReplicas, type Replicas } from './build-replicas.js';
import { releaseAfterStop } from './release-after-stop.js';
import { WatchedRepositories } from './watched-repositories.js';
import { DiscoveryRunner } from '../discovery/discovery-runner.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly secrets: SecretRegistry;
  readonly env: NodeJS.ProcessEnv;
  /** Watch this file (and its repositories file) and reload on change and SIGHUP. */
  readonly configFile?: string;
  readonly cwd?: string;
  /** Observers for the demo, metrics and the event stream. */
  readonly onPoll?: (report: PollReport) => void;
  readonly onDeliveryAttempt?: (report: DeliveryAttemptReport) => void;
  /** SSE keep-alive period (tests shorten it). */
  readonly streamKeepAliveMs?: number;
  /** The command running the daemon, as the database's writer lock names it (default `run`). */
  readonly command?: string;
}

export interface Daemon {
  readonly runtime: RuntimeManager;
  readonly storage: Storage;
  readonly scheduler: Scheduler;
  readonly worker: DeliveryWorker;
  readonly watcher: ConfigWatcher | undefined;
  readonly api: ApiServer;
  readonly feed: EventFeed;
  readonly metrics: DaemonMetrics;
  /** The `discovery` entries at work. */
  readonly discovery: DiscoveryRunner;
  /** The running config: the file's, with the repositories discovery found. */
  config(): Config;
  /** Queues every delivery of an event again and wakes the delivery worker. */
  redeliver(eventId: string): Promise<DeliverySummary[]>;
  /** Applies a new valid config from the file to every component (what a reload does). */
  applyConfig(config: Config): Promise<void>;
  /** SIGHUP: re-read the config file. */
  reload(): void;
}

/**
 * The composition root of the daemon: storage -> API -> retention -> trigger -> scheduler ->
 * config watcher, started in that order and stopped in reverse, so polling stops first (then the
 * GitHub API connections close), deliveries in flight finish next (then the delivery connections
 * close), the API answers (/readyz 503) until just before the database closes last.
 */
export function createDaemon(options: DaemonOptions): Daemon {
  const { log } = options;
  /** The config as loaded from the file(s); `config` is it with what discovery found. */
  let fileConfig = options.config;
  let config = options.config;
  // On PostgreSQL the daemon is one of any number of replicas sharing the database.
  const identity = config.storage.type === 'postgres' ? newReplicaIdentity(VERSION) : undefined;
  const storage = createStorage({
    config: config.storage,
    log: log.child({ component: 'storage' }),
    writer: { command: options.command ?? 'run' },
    ...(identity ? { claimant: { id: identity.id, leaseTtlMs: config.ha.leaseTtlMs } } : {}),
  });
  let replicas: Replicas | undefined;
  /** Whether this process does the work for one replica only (always, without replicas). */
  const leads = (): boolean => replicas === undefined || replicas.coordinator.isLeader;
  const pruner = new RetentionPruner({
    storage,
    retentionMs: config.storage.retentionMs,
    log: log.child({ component: 'retention' }),
    leads,
  });
  const feed = new EventFeed();
  /** Tells this replica's live readers, and every other replica's. */
  const announce = (message: FeedMessage): void => {
    feed.publish(message);
    replicas?.bridge.forward(message);
  };
  const metrics = new DaemonMetrics({
    deliveryCounts: () => storage.deliveries.countByStatus(),
    oldestPendingAgeMs: () => storage.deliveries.oldestPendingAge(Date.now()),
    rateLimits: () => poller.gitClients.current.rateLimits(),
    quotaForecasts: () => governor.forecasts(),
  });
  const onPoll = (report: PollReport): void => {
    // A poll cut short by shutdown, or whose repository left the config meanwhile, is neither a
    // success nor a Git host error.
    const cancelled =
      report.code === 'cancelled' || report.code === 'shutting-down' || report.code === 'conflict';
    if (!cancelled) metrics.observePoll(report);
    governor.observe(report);
    if (report.newEvents.length > 0) announce({ kind: 'events-recorded' });
    options.onPoll?.(report);
  };
  const delivery = buildDelivery({
    config,
    storage,
    log: log.child({ component: 'trigger' }),
    details: readPushDetailsThrough(
      () => config,
      () => poller.gitClients.current,
    ),
    onAttempt: (report) => {
      metrics.observeDeliveryAttempt(report);
      announce(deliveryChangeMessage(report));
      options.onDeliveryAttempt?.(report);
    },
  });
  const { worker } = delivery;
  const pollerLog = log.child({ component: 'poller' });
  const poller = buildPoller({
    config: () => config,
    storage,
    record: true,
    gitEnv: options.env,
    log: { poller: pollerLog, gitclient: log.child({ component: 'gitclient' }) },
    onRecorded: () => worker.wake(),
    onReport: onPoll,
  });
  const nextPolls = new NextPollWriter(storage, pollerLog);
  const scheduler = new Scheduler({
    config,
    log: pollerLog,
    ...(identity ? { share: { holds: (name) => replicas?.coordinator.holds(name) ?? false } } : {}),
    onScheduled: (repository, nextPollAt) => nextPolls.set(repository, nextPollAt.getTime()),
    // Replicas: a poll's start is stored before it lists, so a replica taking the repository
    // over after this one died mid-poll waits the interval instead of listing again at once.
    ...(identity
      ? { beforePoll: (repository, at) => nextPolls.setAndWait(repository, at.getTime()) }
      : {}),
    storedNextPollAts: () => storage.pollStates.nextPollAts(),
    pollOne: async (repo, signal, cause) => (await poller.pollOne(repo, signal, cause)).outcome,
  });

  const governor = new QuotaGovernor({
    config: () => config,
    polled: () => {
      const byName = new Map(config.repositories.map((repo) => [repo.name, repo]));
      return scheduler.entries().flatMap((entry) => {
        const repo = byName.get(entry.repository);
        if (repo === undefined) return [];
        return [{ repo, ...(entry.activeAt === undefined ? {} : { activeAt: entry.activeAt }) }];
      });
    },
    rateLimits: () => poller.gitClients.current.rateLimits(),
    onPlan: (stretch) => scheduler.setStretch(stretch),
    log: pollerLog,
  });

  /** Runs a config (the file's with what discovery found), one at a time, in order. */
  let applying: Promise<void> = Promise.resolve();
  const runConfig = (next: Config): Promise<void> => {
    const run = async (): Promise<void> => {
      const before = config.repositories.length;
      config = next;
      log.level = next.app.logLevel;
      poller.applyConfig(next);
      await runtime.applyConfig(next);
      if (before !== next.repositories.length || next.discovery.length === 0) {
        log.info('Configuration applied', { repositories: next.repositories.length });
      }
    };
    applying = applying.then(run, run);
    return applying;
  };
  const discovery = new DiscoveryRunner({
    storage,
    config,
    lister: () => poller.gitClients.current,
    log: log.child({ component: 'discovery' }),
    leads,
    onConfig: runConfig,
    onStored: () => replicas?.bridge.announceDiscovery(),
    ...(identity ? { refreshMs: config.ha.leaseTtlMs } : {}),
  });

  /** A new config from the file: run at once with the stored lists, which are then read again. */
  const applyConfig = async (next: Config): Promise<void> => {
    warnAboutRestartOnlyChanges(fileConfig, next, log);
    fileConfig = next;
    await discovery.reload(next);
  };

  const watcher =
    options.configFile === undefined
      ? undefined
      : new ConfigWatcher({
          file: options.configFile,
          env: options.env,
          log: log.child({ component: 'config' }),
          secrets: options.secrets,
          initial: config,
          ...(options.cwd ? { cwd: options.cwd } : {}),
          onChange: applyConfig,
          onReload: (outcome) => metrics.observeConfigReload(outcome),
        });

  const redeliver = async (eventId: string): Promise<DeliverySummary[]> => {
    const deliveries = await storage.deliveries.redeliver(eventId);
    worker.wake();
    for (const d of deliveries) announce(deliveryChangeMessage(d));
    return deliveries;
  };

  const startedAt = new Date();
  const api = new ApiServer({
    log: log.child({ component: 'api' }),
    host: config.api.listenAddress,
    port: config.app.healthCheckPort,
    ...(options.streamKeepAliveMs === undefined ? {} : { keepAliveMs: options.streamKeepAliveMs }),
    context: {
      storage,
      feed,
      startedAt,
      config: () => config,
      health: () => runtime.health(),
      isReady: () => runtime.isReady(),
      schedule: (name) => scheduler.entry(name),
      pollNow: (name) => {
        if (replicas === undefined || scheduler.entry(name) !== undefined) {
          return scheduler.pollNow(name);
        }
        // Another replica holds it: the one that does polls it.
        replicas.bridge.requestPoll(name);
        return true;
      },
      nudge: (name) => {
        if (replicas === undefined || scheduler.entry(name) !== undefined) {
          scheduler.nudge(name);
          return;
        }
        replicas.bridge.requestPoll(name, true);
      },
      observeHook: (provider, outcome) => metrics.observeHook(provider, outcome),
      ...(identity ? { replicaId: identity.id } : {}),
      redeliver,
      rateLimits: () => poller.gitClients.current.rateLimits(),
      rateLimitFor: (repo) => poller.gitClients.current.rateLimitFor(repo),
      reloadState: () => watcher?.reloadState(),
      discovery: () => discovery.status(),
      quota: () => governor.forecasts(),
      renderMetrics: () => metrics.render(),
    },
  });

  const watched = new WatchedRepositories({
    storage,
    config,
    log: log.child({ component: 'repositories' }),
    leads,
    onSynced: () => void replicas?.coordinator.beat(),
  });
  if (identity) {
    replicas = buildReplicas({
      config,
      identity,
      storage,
      feed,
      log,
      pollable: () => config.repositories.filter((r) => r.enabled).map((r) => r.name),
      busy: (withinMs) => scheduler.busy(withinMs),
      onShareChanged: () => scheduler.reshare(),
      // The lists first: the watched set the leader writes includes what they hold.
      onLead: async () => {
        await discovery.lead();
        await watched.syncNow();
      },
      onDiscoveryStored: () => {
        discovery.refresh().catch((err: unknown) =>
          log.warn('Could not read the stored discovery lists', {
            code: errorCodeOf(err),
            error: errorMessageOf(err),
          }),
        );
      },
      onRemoteChange: () => worker.wake(),
      onPollRequest: (name, nudge) => {
        if (scheduler.entry(name) === undefined) return;
        if (nudge) scheduler.nudge(name);
        else if (!scheduler.pollNow(name))
          log.debug('Poll requested by another replica already queued', { repo: name });
      },
    });
  }
  const components: Component[] = [
    storage,
    // Before the replica membership: a replica that comes to lead writes the watched set, which
    // must include what the stored lists hold, or their repositories' state would be forgotten.
    discovery,
    ...(replicas ? [replicas.coordinator, replicas.bridge] : []),
    watched,
    api,
    pruner,
    delivery.component,
    releaseAfterStop(scheduler, () => poller.close()),
    governor,
  ];
  if (watcher) components.push(watcher);
  const runtime = new RuntimeManager<Config>(components, log.child({ component: 'runtime' }));

  return {
    runtime,
    storage,
    scheduler,
    worker,
    watcher,
    api,
    feed,
    metrics,
    config: () => config,
    discovery,
    redeliver,
    applyConfig,
    reload: () => {
      if (watcher) void watcher.reload();
    },
  };
}

/** Settings read once at start-up; a reload that changes them says so instead of ignoring them. */
function warnAboutRestartOnlyChanges(previous: Config, next: Config, log: Logger): void {
  const restartOnly: [string, unknown, unknown][] = [
    ['storage.type', previous.storage.type, next.storage.type],
    ['ha.lease_ttl', previous.ha.leaseTtlMs, next.ha.leaseTtlMs],
    ['storage.postgres.url', previous.storage.postgres?.url, next.storage.postgres?.url],
    [
      'storage.postgres.max_connections',
      previous.storage.postgres?.maxConnections,
      next.storage.postgres?.maxConnections,
    ],
    ['storage.sqlite.path', previous.storage.sqlitePath, next.storage.sqlitePath],
    [
      'storage.sqlite.connection_timeout',
      previous.storage.busyTimeoutMs,
      next.storage.busyTimeoutMs,
    ],
    ['app.health_check_port', previous.app.healthCheckPort, next.app.healthCheckPort],
    ['api.listen_address', previous.api.listenAddress, next.api.listenAddress],
    ['app.log_format', previous.app.logFormat, next.app.logFormat],
    ['app.log_file', previous.app.logFile, next.app.logFile],
  ];
  for (const [key, before, after] of restartOnly) {
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      log.warn('Config change takes effect after a restart', { key });
    }
  }
}
