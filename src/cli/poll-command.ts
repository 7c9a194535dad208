import type { Config, RepositoryConfig } from '../config/config-types.js';
import { buildDelivery } from '../daemon/build-delivery.js';
import { buildPoller, type Poller } from '../daemon/build-poller.js';
import { readPushDetailsThrough } from '../daemon/read-push-details.js';
import type { GitClientSet } from '../gitclient/index.js';
import { shortRefName } from '../events/change-event.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { PollReport } from '../poller/poll-report.js';
import { timeoutSignal } from '../lib/timeout-signal.js';
import { newReplicaIdentity } from '../replicas/replica-identity.js';
import { createStorage } from '../storage/create-storage.js';
import { withStoredDiscovered } from '../discovery/stored-lists.js';
import { VERSION } from '../version.js';
import type { Storage } from '../storage/storage.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-attempt-report.js';
import {
  EXIT_BAD_CONFIG,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type CliCommand,
} from './cli-command.js';
import { oneShotOutput } from './one-shot-output.js';
import { loadConfigOrReport } from './load-config-or-report.js';
import { resolveConfigPath } from './resolve-config-path.js';
import { selectRepositories } from './select-repositories.js';

const SETTLE_CHECK_MS = 50;

/**
 * `reposentry poll --once`: one poll of every repository (or of `--repository NAME`) through the
 * same git clients and change detection as the daemon, compared with the state in the database.
 * Without `--trigger` it is a dry run: it prints what the daemon would detect and writes no ref
 * state, event or delivery. With `--trigger` it records the changes exactly as the daemon does
 * (outbox) and sends every delivery that is due, then exits; retries that are not due yet are
 * left to the daemon. Exit 0 when every poll (and every delivery sent) succeeded, else 1.
 */
export const pollCommand: CliCommand = {
  name: 'poll',
  summary: 'Poll every repository once and print the changes (sends nothing unless --trigger)',
  usage: 'reposentry poll --once [-c FILE] [--repository NAME] [--trigger] [--json]',
  options: {
    once: { type: 'boolean' },
    config: { type: 'string', short: 'c' },
    repository: { type: 'string', short: 'r' },
    trigger: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    if (args.values.once !== true) {
      io.stderr(
        'reposentry poll: --once is required (the continuous poller is `reposentry run`)\n',
      );
      return EXIT_USAGE;
    }
    const fileConfig = await loadConfigOrReport(resolveConfigPath(args, io), io);
    if (fileConfig === undefined) return EXIT_BAD_CONFIG;
    if (fileConfig.discovery.length === 0) {
      // Without discovery the selection needs no storage: a usage error comes first.
      if (selectRepositories(fileConfig, args.values.repository, io) === undefined) {
        return EXIT_USAGE;
      }
    }
    const trigger = args.values.trigger === true;
    const { log, print } = oneShotOutput(fileConfig, io);
    const config = fileConfig;
    // --trigger writes like the daemon and so takes the file's writer lock (SQLite) or claims
    // deliveries with a lease as one more replica does (PostgreSQL); a dry run only reads.
    const shared = config.storage.type === 'postgres';
    const storage = createStorage({
      config: config.storage,
      log,
      ...(trigger ? { writer: { command: 'poll --once --trigger' } } : { readOnly: true }),
      ...(trigger && shared
        ? {
            claimant: {
              id: `${newReplicaIdentity(VERSION).id}/poll`,
              leaseTtlMs: config.ha.leaseTtlMs,
            },
          }
        : {}),
    });
    try {
      await storage.start();
    } catch (err) {
      io.stderr(`reposentry poll: ${errorMessageOf(err)} (${errorCodeOf(err)})\n`);
      return EXIT_FAILURE;
    }
    try {
      // The repositories the discovery lists hold are polled (and kept) as the daemon does.
      const running = await withStoredDiscovered(config, storage.discoveryLists);
      const repositories = selectRepositories(running, args.values.repository, io);
      if (repositories === undefined) return EXIT_USAGE;
      // Recording makes the storage's watched repositories the config's, as the daemon does. On
      // a database replicas share, the set is the leader's to write: only the repositories
      // polled here are tracked (a repository at another url starts over), none dropped.
      if (trigger && shared) {
        for (const repo of repositories) await storage.repositories.track(repo);
      } else if (trigger) {
        await storage.repositories.syncFromConfig(running.repositories.filter((r) => r.enabled));
      }
      const firstPoll = new Set<string>();
      for (const repo of repositories) {
        const polledBefore =
          (await storage.repositories.isCurrent(repo)) &&
          (await storage.pollStates.get(repo.name)) !== undefined;
        if (!polledBefore) firstPoll.add(repo.name);
      }
      // The daemon's wiring; a dry run's HTTP cache keeps new ETags in memory.
      const poller = buildPoller({
        config: () => running,
        storage,
        record: trigger,
        gitEnv: io.env,
        log: { poller: log, gitclient: log },
      });
      let reports: PollReport[];
      let attempts: Awaited<ReturnType<typeof deliverDue>>;
      let replicasSend: boolean;
      // The API connections stay open until the deliveries have read their commit details.
      try {
        reports = await pollAll(repositories, running, poller);
        // Replicas running on the database send what was recorded (one more sender claiming
        // there would wait on theirs); with none running, this command sends it itself.
        replicasSend = trigger && (await liveReplicas(storage, config)) > 0;
        attempts =
          trigger && !replicasSend
            ? await deliverDue(running, storage, log, () => poller.gitClients.current)
            : [];
      } finally {
        poller.close();
      }
      if (args.values.json === true) {
        const json = {
          recorded: trigger,
          repositories: reports,
          deliveries: attempts.map(attemptJson),
          ...(replicasSend ? { deliveredBy: 'replicas' } : {}),
        };
        print(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        printReports(reports, firstPoll, running, trigger, print);
        printAttempts(attempts, print);
        if (replicasSend) print('deliveries are sent by the replicas running on this database\n');
      }
      const allOk = reports.every((r) => r.ok) && attempts.every((a) => a.outcome.ok);
      return allOk ? EXIT_OK : EXIT_FAILURE;
    } finally {
      await storage.stop(AbortSignal.timeout(5_000));
    }
  },
};

/** Polls at most `polling.max_workers` repositories at once, each bounded by `polling.timeout`. */
async function pollAll(
  repositories: readonly RepositoryConfig[],
  config: Config,
  poller: Poller,
): Promise<PollReport[]> {
  const reports: PollReport[] = new Array<PollReport>(repositories.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < repositories.length) {
      const index = next++;
      const repo = repositories[index] as RepositoryConfig;
      const deadline = timeoutSignal(config.polling.timeoutMs);
      const { report } = await poller.pollOne(repo, deadline.signal);
      deadline.dispose();
      reports[index] = report;
    }
  };
  const workers = Math.min(config.polling.maxWorkers, repositories.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return reports;
}

/** How many replicas heartbeat on the database (none on SQLite, where the file lock rules). */
async function liveReplicas(storage: Storage, config: Config): Promise<number> {
  const replicas = (await storage.cluster?.list(config.ha.leaseTtlMs)) ?? [];
  return replicas.filter((replica) => replica.live).length;
}

/**
 * Runs the daemon's delivery worker until nothing is due: every pending delivery whose time has
 * come (the ones just recorded, and any the daemon had queued) gets one attempt.
 */
async function deliverDue(
  config: Config,
  storage: Storage,
  log: Logger,
  clients: () => GitClientSet,
): Promise<DeliveryAttemptReport[]> {
  const attempts: DeliveryAttemptReport[] = [];
  const { worker, component } = buildDelivery({
    config,
    storage,
    log,
    details: readPushDetailsThrough(() => config, clients),
    onAttempt: (report) => attempts.push(report),
  });
  await component.start();
  try {
    worker.wake();
    const startedAt = Date.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_CHECK_MS));
      const due = await storage.deliveries.nextDueAt();
      const nothingDue = due === undefined || due > startedAt;
      if (nothingDue && (await storage.deliveries.countByStatus()).in_flight === 0) break;
    }
  } finally {
    await component.stop(AbortSignal.timeout(config.tekton.timeoutMs));
  }
  return attempts;
}

function printReports(
  reports: readonly PollReport[],
  firstPoll: ReadonlySet<string>,
  config: Config,
  trigger: boolean,
  print: (text: string) => void,
): void {
  const width = Math.max(10, ...reports.map((r) => r.repository.length));
  let changes = 0;
  for (const report of reports) {
    const name = report.repository.padEnd(width);
    if (!report.ok) {
      print(`${name}  FAILED  ${report.code ?? 'internal'}: ${report.error ?? ''}\n`);
      continue;
    }
    const via = report.fallbackReason
      ? `ls-remote (API fallback: ${report.fallbackReason})`
      : (report.via ?? '');
    const cost = report.cost
      ? `, ${report.cost.requests} request${report.cost.requests === 1 ? '' : 's'}, ${report.cost.quotaUnits} quota`
      : '';
    const baseline =
      firstPoll.has(report.repository) && !config.polling.triggerOnFirstSeen
        ? ', first poll: baseline only'
        : '';
    const unchanged = report.unchanged === true ? ', unchanged (304)' : '';
    print(
      `${name}  ok      via ${via}, ${report.refsListed ?? 0} refs${unchanged}${cost}${baseline}\n`,
    );
    for (const event of report.events) {
      changes += 1;
      const before = event.before?.slice(0, 7) ?? 'new';
      const after = event.after?.slice(0, 7) ?? 'gone';
      const known = trigger && !report.newEvents.includes(event) ? ' (already recorded)' : '';
      print(
        `  ${event.type.padEnd(14)} ${shortRefName(event.ref)}  ${before} -> ${after}  event ${event.id}${known}\n`,
      );
    }
  }
  const failures = reports.filter((r) => !r.ok).length;
  const summary = `${reports.length} polled, ${changes} change${changes === 1 ? '' : 's'}, ${failures} failed`;
  print(
    trigger
      ? `${summary}; changes recorded\n`
      : `${summary}; dry run: nothing recorded or sent (--trigger records and delivers)\n`,
  );
}

function printAttempts(
  attempts: readonly DeliveryAttemptReport[],
  print: (text: string) => void,
): void {
  for (const a of attempts) {
    const http = a.outcome.statusCode === undefined ? '' : ` HTTP ${a.outcome.statusCode}`;
    const error = a.outcome.error === undefined ? '' : `: ${a.outcome.error}`;
    print(
      `delivery  ${a.status.padEnd(9)} event ${a.eventId} -> ${a.targetUrl}${http} in ${a.outcome.latencyMs} ms${error}\n`,
    );
  }
}

function attemptJson(a: DeliveryAttemptReport): Record<string, unknown> {
  return {
    eventId: a.eventId,
    repository: a.repository,
    targetUrl: a.targetUrl,
    attempt: a.attempt,
    status: a.status,
    statusCode: a.outcome.statusCode ?? null,
    latencyMs: a.outcome.latencyMs,
    error: a.outcome.error ?? null,
  };
}
