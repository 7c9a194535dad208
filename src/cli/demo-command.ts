import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigFromObject } from '../config/load-config.js';
import { formatDuration, parseDuration } from '../config/parse-duration.js';
import { createDaemon } from '../daemon/create-daemon.js';
import { runUntilStopped } from '../daemon/run-until-stopped.js';
import { DemoReceiver } from '../demo/demo-receiver.js';
import { DemoRepository } from '../demo/demo-repository.js';
import { shortRefName } from '../events/change-event.js';
import { createLogger } from '../logging/create-logger.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import { EXIT_FAILURE, EXIT_USAGE, type CliCommand, type ParsedArgs } from './cli-command.js';

const DEFAULT_COMMIT_EVERY_MS = 5_000;
const DEFAULT_INTERVAL_MS = 2_000;

/**
 * Accepted ranges. Polls at least 1s apart, as polling.interval requires; commits at least 100ms
 * apart (0 would spin). At most a day: Node fires a timer longer than ~24.8 days at once.
 */
const DURATION_OPTIONS = {
  interval: { minMs: 1_000, maxMs: 86_400_000 },
  'commit-every': { minMs: 100, maxMs: 86_400_000 },
} as const;

/**
 * `reposentry demo`: the real daemon (same storage, scheduler, git client, outbox and delivery
 * worker as `run`) on a throw-away bare repository that gets a commit every few seconds, with a
 * built-in receiver standing in for the EventListener. Ctrl-C stops it and removes its files.
 */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary:
    'Watch a local demo repository and deliver to a built-in receiver (no token, no network)',
  usage: 'reposentry demo [--interval 2s] [--commit-every 5s] [--port N] [--verbose]',
  options: {
    interval: { type: 'string' },
    port: { type: 'string' },
    'commit-every': { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run(args, io) {
    const port = parsePort(args.values.port);
    if (port === undefined) {
      io.stderr(
        `reposentry demo: --port must be a port number from 0 to 65535 (0 = any free port)\n`,
      );
      return EXIT_USAGE;
    }
    const interval = parseDurationOption(args.values, 'interval', DEFAULT_INTERVAL_MS);
    const commitEvery = parseDurationOption(args.values, 'commit-every', DEFAULT_COMMIT_EVERY_MS);
    if (!interval.ok || !commitEvery.ok) {
      const problems = [interval, commitEvery].flatMap((o) => (o.ok ? [] : [o.problem]));
      io.stderr(problems.map((p) => `reposentry demo: ${p}\n`).join(''));
      return EXIT_USAGE;
    }
    const intervalMs = interval.ms;
    const commitEveryMs = commitEvery.ms;
    const dir = await mkdtemp(path.join(tmpdir(), 'reposentry-demo-'));
    const secret = randomBytes(16).toString('hex');
    const print = (line: string): void =>
      io.stdout(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
    const receiver = new DemoReceiver(secret, (d) =>
      print(
        `receiver  ${d.signatureValid ? 'accepted' : 'REJECTED (bad signature)'} ${d.event} ${d.ref} -> ${d.after.slice(0, 7)} (event ${d.eventId.slice(0, 8)})`,
      ),
    );
    const repo = new DemoRepository(dir);
    let config;
    try {
      await repo.create();
      await receiver.start();
      config = loadConfigFromObject(
        {
          app: {
            data_dir: dir,
            log_level: args.values.verbose === true ? 'debug' : 'warn',
            log_format: 'text',
            health_check_port: port,
          },
          api: { listen_address: '127.0.0.1' },
          polling: {
            interval: intervalMs,
            jitter: 0,
          },
          tekton: {
            event_listener_url: receiver.url,
            secret: '${DEMO_WEBHOOK_SECRET}',
            retry_backoff: '500ms',
          },
          security: { allowed_env_vars: ['DEMO_WEBHOOK_SECRET'] },
          repositories: [
            {
              name: 'demo-app',
              url: repo.url,
              provider: 'git',
              branch_regex: '.*',
              tag_regex: '^v',
            },
          ],
        },
        { env: { DEMO_WEBHOOK_SECRET: secret }, cwd: dir },
      );
    } catch (err) {
      io.stderr(
        `reposentry demo: could not set up: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      await receiver.stop();
      await rm(dir, { recursive: true, force: true });
      return EXIT_FAILURE;
    }
    const secrets = new SecretRegistry();
    secrets.registerAll(config.secrets);
    const log = createLogger({ level: config.app.logLevel, format: 'text', secrets });
    const daemon = createDaemon({
      config,
      log,
      secrets,
      command: 'demo',
      env: { PATH: io.env.PATH },
      onPoll: (report) => {
        for (const event of report.newEvents)
          print(
            `detected  ${event.type} ${shortRefName(event.ref)} -> ${(event.after ?? '').slice(0, 7)}`,
          );
        if (!report.ok)
          print(`poll      failed: ${report.code ?? 'internal'} ${report.error ?? ''}`);
      },
      onDeliveryAttempt: (a) =>
        print(
          `delivery  ${a.status} (attempt ${a.attempt}, HTTP ${a.outcome.statusCode ?? '-'}, ${a.sinceDetectedMs} ms after detection)`,
        ),
    });
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    // The next commit is scheduled when the previous one is done, so a fast pace never runs two
    // steps at once on the same repository.
    const commitLater = (): void => {
      timer = setTimeout(() => {
        repo
          .step()
          .then(
            (what) => print(`git       ${what}`),
            (err: unknown) =>
              print(`git       failed: ${err instanceof Error ? err.message : String(err)}`),
          )
          .finally(() => {
            if (!stopped) commitLater();
          });
      }, commitEveryMs);
    };
    return runUntilStopped(daemon, log, {
      onStarted: () => {
        print(`demo      watching ${repo.url}`);
        print(`demo      built-in EventListener at ${receiver.url} (checks X-Hub-Signature-256)`);
        print(`demo      database ${daemon.storage.location}`);
        const api = daemon.api.address();
        if (api) {
          const base = `http://127.0.0.1:${api.port}`;
          print(
            `demo      API ${base}/api/v1/status, Swagger UI ${base}/swagger/, metrics ${base}/metrics`,
          );
          print(`demo      try: reposentry events list --server ${base}`);
        }
        print(
          `demo      a poll every ${formatDuration(intervalMs)}, a change every ${formatDuration(commitEveryMs)}; Ctrl-C stops and cleans up`,
        );
        commitLater();
      },
      onStopped: async () => {
        stopped = true;
        clearTimeout(timer);
        await receiver.stop();
        await rm(dir, { recursive: true, force: true });
        print('demo      stopped, temporary files removed');
      },
    });
  },
};

function parsePort(value: unknown): number | undefined {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value) || Number(value) > 65535)
    return undefined;
  return Number(value);
}

type DurationOption =
  { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly problem: string };

/**
 * A duration option in any form the config takes (`500ms`, `2s`, `1m`, plain milliseconds)
 * within its range, the default when absent, or the problem naming the option and the value.
 */
function parseDurationOption(
  values: ParsedArgs['values'],
  name: keyof typeof DURATION_OPTIONS,
  defaultMs: number,
): DurationOption {
  const value = values[name];
  if (value === undefined) return { ok: true, ms: defaultMs };
  const text = String(value);
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    return { ok: false, problem: `--${name} ${err instanceof Error ? err.message : String(err)}` };
  }
  const { minMs, maxMs } = DURATION_OPTIONS[name];
  if (ms >= minMs && ms <= maxMs) return { ok: true, ms };
  const plain = /^\s*[\d.]+\s*$/.test(text) ? ' (a plain number is milliseconds)' : '';
  return {
    ok: false,
    problem: `--${name} ${JSON.stringify(text)} is out of range: use ${formatDuration(minMs)} to ${formatDuration(maxMs)}${plain}`,
  };
}
