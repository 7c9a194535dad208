import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigFromObject } from '../config/load-config.js';
import { createDaemon } from '../daemon/create-daemon.js';
import { runUntilStopped } from '../daemon/run-until-stopped.js';
import { DemoReceiver } from '../demo/demo-receiver.js';
import { DemoRepository } from '../demo/demo-repository.js';
import { shortRefName } from '../events/change-event.js';
import { createLogger } from '../logging/create-logger.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import { EXIT_FAILURE, EXIT_USAGE, type CliCommand } from './cli-command.js';

const DEFAULT_COMMIT_EVERY_MS = 5_000;

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
            interval: typeof args.values.interval === 'string' ? args.values.interval : '2s',
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
    const commitEveryMs = parseSeconds(args.values['commit-every']) ?? DEFAULT_COMMIT_EVERY_MS;
    let timer: NodeJS.Timeout | undefined;
    return runUntilStopped(daemon, log, {
      onStarted: () => {
        print(`demo      watching ${repo.url}`);
        print(`demo      built-in EventListener at ${receiver.url} (checks X-Hub-Signature-256)`);
        print(`demo      database ${config.storage.sqlitePath}`);
        const api = daemon.api.address();
        if (api) {
          const base = `http://127.0.0.1:${api.port}`;
          print(
            `demo      API ${base}/api/v1/status, Swagger UI ${base}/swagger/, metrics ${base}/metrics`,
          );
          print(`demo      try: reposentry events list --server ${base}`);
        }
        print(`demo      a change every ${commitEveryMs / 1000}s; Ctrl-C stops and cleans up`);
        timer = setInterval(() => {
          repo.step().then(
            (what) => print(`git       ${what}`),
            (err: unknown) =>
              print(`git       failed: ${err instanceof Error ? err.message : String(err)}`),
          );
        }, commitEveryMs);
      },
      onStopped: async () => {
        clearInterval(timer);
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

function parseSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s?$/.exec(value);
  return match?.[1] === undefined ? undefined : Math.max(200, Number(match[1]) * 1000);
}
