/**
 * The daemon config of a bench run: everything on 127.0.0.1, its database (a real SQLite file in
 * the run's temporary directory, or a database of its own on the bench's PostgreSQL server),
 * warn-level logs, and GitHub repositories served by the bench's fake API.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import type { BenchDatabase } from './bench-database.js';
import { repoName } from './bench-github.js';

export const BENCH_TOKEN = 'ghp_benchToken0000000000000000000000000';
export const BENCH_SECRET = 'bench-webhook-secret-5e1f';

/** The environment of the daemon process: the token and secret come through `${NAME}`. */
export const BENCH_INTAKE_SECRET = 'bench-intake-secret-7d3c';
export const DAEMON_ENV = {
  GITHUB_TOKEN: BENCH_TOKEN,
  TEKTON_WEBHOOK_SECRET: BENCH_SECRET,
  INTAKE_WEBHOOK_SECRET: BENCH_INTAKE_SECRET,
};

export interface BenchConfigOptions {
  readonly dir: string;
  /** Its `storage` (and `ha`) sections. */
  readonly database: BenchDatabase;
  readonly port: number;
  readonly receiverUrl: string;
  /** The fake GitHub server; omit for a daemon that polls nothing. */
  readonly github?: { readonly url: string; readonly apiBaseUrl: string };
  readonly repositories: number;
  /** polling.interval, e.g. `60s`. */
  readonly interval: string;
  readonly maxWorkers: number;
  /** false: the repositories are configured but not polled. */
  readonly enabled?: boolean;
  /** The file's name in `dir` (default `config.yaml`). */
  readonly file?: string;
  /** Serve /hooks/github with BENCH_INTAKE_SECRET. */
  readonly intake?: boolean;
  /** polling.adaptive on, with this max_interval. */
  readonly adaptiveMaxInterval?: string;
}

/** Writes `<dir>/config.yaml`; returns its path. */
export async function writeBenchConfig(options: BenchConfigOptions): Promise<string> {
  const github = options.github ?? {
    url: 'http://127.0.0.1:9',
    apiBaseUrl: 'http://127.0.0.1:9/api/v3',
  };
  const repositories = Array.from({ length: options.repositories }, (_, index) => {
    const name = repoName(index);
    return {
      name,
      url: `${github.url}/bench-org/${name}`,
      provider: 'github',
      api_base_url: github.apiBaseUrl,
      token: '${GITHUB_TOKEN}',
      branch_regex: '^(main|develop|release/.*)$',
      ...(options.enabled === false ? { enabled: false } : {}),
    };
  });
  const config = {
    app: {
      log_level: 'warn',
      data_dir: options.dir,
      health_check_port: options.port,
    },
    api: { listen_address: '127.0.0.1' },
    polling: {
      interval: options.interval,
      timeout: '30s',
      max_workers: options.maxWorkers,
      jitter: 0,
      ...(options.adaptiveMaxInterval === undefined
        ? {}
        : { adaptive: { enabled: true, max_interval: options.adaptiveMaxInterval } }),
    },
    ...options.database.config,
    ...(options.intake ? { intake: { enabled: true, secret: '${INTAKE_WEBHOOK_SECRET}' } } : {}),
    tekton: {
      event_listener_url: options.receiverUrl,
      secret: '${TEKTON_WEBHOOK_SECRET}',
      retry_backoff: '200ms',
      max_retry_backoff: '2s',
      // The bench measures what polls and deliveries cost; the commit details a push payload
      // asks GitHub for are one to three more requests per change (counted by the metrics).
      commit_details: false,
    },
    // As on GitHub Enterprise Server, where rate limiting is off by default: the bench measures
    // what polls cost, not how the daemon spreads them under a budget.
    rate_limit: { github: { requests_per_hour: 10_000_000, requests_per_minute: 0 } },
    repositories,
  };
  const file = path.join(options.dir, options.file ?? 'config.yaml');
  await writeFile(file, yaml.dump(config, { lineWidth: -1 }));
  return file;
}
