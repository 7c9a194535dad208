/**
 * The daemon's HTTP transport (undici 7, src/http/open-request.ts), measured in the bench
 * process, where the daemon's own code sends the requests.
 *
 * - Unchanged polls: the real GithubClient lists the branches of repositories that have not
 *   changed (conditional requests, every page answered 304), 5 polls at a time as the daemon's
 *   `polling.max_workers` in the bench, its `fetch` option createGithubFetch over a
 *   RequestOpener, as the daemon builds it.
 * - Deliveries: signed delivery POSTs to the receiver, one at a time, through sendDelivery over
 *   a RequestOpener.
 *
 * The servers run in a child process (transport-servers.ts), so the CPU time of this process is
 * the client's alone. The transport warms up first, then runs `rounds` rounds; every figure is
 * the median of the rounds. Issue 16 took undici on this scenario's comparison with the daemon's
 * earlier node:http transport (docs/benchmarks.md has those figures; that transport is gone).
 */
import { performance } from 'node:perf_hooks';
import type { RepositoryConfig } from '../src/config/config-types.js';
import type { GithubClient } from '../src/gitclient/github/github-client.js';
import { listRefsWithFallback } from '../src/gitclient/list-refs-with-fallback.js';
import type { ProviderClient } from '../src/gitclient/provider-client.js';
import { createLogger, type Logger } from '../src/logging/create-logger.js';
import { SecretRegistry } from '../src/logging/secret-registry.js';
import { BENCH_SECRET, BENCH_TOKEN } from './bench-config.js';
import type { BenchContext } from './bench-context.js';
import { formatNumber, median, percentile } from './bench-report.js';
import {
  createTransport,
  repositoryConfig,
  signedDeliveries,
  type SignedDelivery,
  type Transport,
} from './bench-transports.js';
import { startTransportServers } from './transport-servers-child.js';

/** The default of polling.timeout. */
const POLL_TIMEOUT_MS = 30_000;

/** Stands in for `git ls-remote`, which an unchanged poll through the API never reaches. */
const NO_FALLBACK: ProviderClient = {
  listRefs: () => Promise.reject(new Error('bench: the API poll fell back to git ls-remote')),
};

interface PollRound {
  readonly cpuMsPerPoll: number;
  readonly wallMs: number;
}

interface DeliveryRound {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMsPerDelivery: number;
}

export async function measureTransport(ctx: BenchContext): Promise<void> {
  const { options } = ctx;
  const rounds = options.transportRounds;
  const servers = await startTransportServers(options.transportRepositories, options.stepTimeoutMs);
  const repos = Array.from({ length: options.transportRepositories }, (_, index) =>
    repositoryConfig(servers, index),
  );
  const deliveries = signedDeliveries(Math.min(500, options.transportDeliveries), servers);
  // The daemon's stop signal: never aborted here, but passed as the daemon passes it.
  const signal = new AbortController().signal;
  const log = createLogger({
    level: 'warn',
    format: 'text',
    secrets: new SecretRegistry([BENCH_TOKEN, BENCH_SECRET]),
    defaultMeta: { component: 'gitclient' },
  });
  const poll: PollOptions = { repos, workers: options.maxWorkers, signal, log };
  const transport = createTransport(log, signal, servers);
  const polls: PollRound[] = [];
  const sends: DeliveryRound[] = [];
  try {
    ctx.log('transport: first poll of each repository, warm-up');
    await pollMany(transport.github, poll, repos.length, false);
    await pollMany(transport.github, poll, options.transportWarmup);
    await deliverMany(transport, deliveries, options.transportWarmup);
    const before = await servers.counts();
    for (let round = 0; round < rounds; round += 1) {
      ctx.log(`transport: round ${round + 1} of ${rounds}`);
      polls.push(await pollRound(transport, poll, options.transportPolls));
      sends.push(await deliveryRound(transport, deliveries, options.transportDeliveries));
    }
    const after = await servers.counts();
    report(ctx, polls, sends, {
      requestsNot304:
        after.githubRequests - before.githubRequests - (after.notModified - before.notModified),
      badSignatures: after.badSignatures,
    });
  } finally {
    transport.close();
    await servers.close();
  }
}

interface PollOptions {
  readonly repos: readonly RepositoryConfig[];
  readonly workers: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/**
 * `count` polls of `repos` in turn, `workers` at a time, each as the daemon's client set makes
 * it (bounded by polling.timeout, with the API fallback on). `unchanged`: every poll must find
 * its repository unchanged (every page answered 304), else the bench fails.
 */
async function pollMany(
  client: GithubClient,
  { repos, workers, signal, log }: PollOptions,
  count: number,
  unchanged = true,
): Promise<void> {
  const policy = { enabled: true, timeoutMs: POLL_TIMEOUT_MS, log };
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const repo = repos[i % repos.length] as RepositoryConfig;
      const listing = await listRefsWithFallback(
        client,
        NO_FALLBACK,
        repo,
        { includeTags: false, signal },
        policy,
      );
      if (unchanged && !(listing.unchanged && listing.cost.quotaUnits === 0)) {
        throw new Error(`bench: an unchanged poll of ${repo.name} was not all 304s`);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

async function deliverMany(
  transport: Transport,
  deliveries: readonly SignedDelivery[],
  count: number,
  latencies?: number[],
): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const outcome = await transport.deliver(deliveries[i % deliveries.length] as SignedDelivery);
    latencies?.push(performance.now() - started);
    if (!outcome.ok) throw new Error(`bench: a delivery failed: ${outcome.error}`);
  }
}

async function pollRound(
  transport: Transport,
  poll: PollOptions,
  count: number,
): Promise<PollRound> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pollMany(transport.github, poll, count);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuMsPerPoll: (used.user + used.system) / 1000 / count, wallMs };
}

async function deliveryRound(
  transport: Transport,
  deliveries: readonly SignedDelivery[],
  count: number,
): Promise<DeliveryRound> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  await deliverMany(transport, deliveries, count, latencies);
  const used = process.cpuUsage(cpu);
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerDelivery: (used.user + used.system) / 1000 / count,
  };
}

function report(
  ctx: BenchContext,
  polls: readonly PollRound[],
  sends: readonly DeliveryRound[],
  checks: { requestsNot304: number; badSignatures: number },
): void {
  const { options, report } = ctx;
  const rounds = options.transportRounds;
  const scenario = `transport, ${rounds} rounds`;
  const nPolls = formatNumber(options.transportPolls);
  const nSends = formatNumber(options.transportDeliveries);
  /** The median of the rounds, shown with their range. */
  const add = (key: string, label: string, values: readonly number[], unit: string): void => {
    const value = median(values);
    const range = `${formatNumber(Math.min(...values))} to ${formatNumber(Math.max(...values))}`;
    report.add({
      key,
      scenario,
      label: `${label} (median of ${rounds} rounds)`,
      value,
      unit,
      display: `${formatNumber(value)} ${unit} (rounds: ${range})`,
    });
  };
  add(
    'transport.cpu_ms_per_poll',
    `CPU per unchanged poll, ${nPolls} polls 5 at a time`,
    polls.map((r) => r.cpuMsPerPoll),
    'ms',
  );
  add(
    'transport.polls_wall_s',
    `wall time of ${nPolls} unchanged polls`,
    polls.map((r) => r.wallMs / 1000),
    's',
  );
  add(
    'transport.delivery_p50_ms',
    `delivery latency p50, ${nSends} deliveries one at a time`,
    sends.map((r) => r.p50Ms),
    'ms',
  );
  add(
    'transport.delivery_p99_ms',
    'delivery latency p99',
    sends.map((r) => r.p99Ms),
    'ms',
  );
  add(
    'transport.cpu_ms_per_delivery',
    'CPU per delivery',
    sends.map((r) => r.cpuMsPerDelivery),
    'ms',
  );
  report.add({
    key: 'transport.requests_not_304',
    scenario,
    label: 'GitHub requests of the measured unchanged polls not answered 304',
    value: checks.requestsNot304,
    unit: 'requests',
  });
  report.add({
    key: 'transport.bad_signatures',
    scenario,
    label: 'deliveries whose X-Hub-Signature-256 did not verify',
    value: checks.badSignatures,
    unit: 'requests',
  });
  if (options.mode === 'quick') {
    report.note('transport: quick mode: too few requests, on a cold process, to go by');
  }
}
