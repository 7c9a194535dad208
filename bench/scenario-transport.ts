/**
 * Issue 16, "The transport": our node:http transport against undici 7, measured in the bench
 * process, where the daemon's own code sends the requests.
 *
 * - Unchanged polls: the real GithubClient lists the branches of repositories that have not
 *   changed (conditional requests, every page answered 304), 5 polls at a time as the daemon's
 *   `polling.max_workers` in the bench, with its `fetch` option set to (a) createNodeHttpFetch
 *   over a RequestOpener and (b) the undici FetchLike of undici-fetch.ts.
 * - Deliveries: signed delivery POSTs to the receiver, one at a time, through (a) sendDelivery
 *   over a RequestOpener and (b) the same request with undici `request` (undici-delivery.ts).
 *
 * The servers run in a child process (transport-servers.ts), so the CPU time of this process is
 * the client's alone. Each transport has its own connections and warms up first; then both take
 * turns for `rounds` rounds, in alternating order (A B, B A, A B, ...), so that drift on a shared
 * machine favours neither; every figure is the median of the rounds.
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
  TRANSPORT_LABELS,
  TRANSPORT_NAMES,
  createTransports,
  repositoryConfig,
  signedDeliveries,
  type SignedDelivery,
  type Transport,
  type TransportName,
} from './bench-transports.js';
import { startTransportServers } from './transport-servers-child.js';

/** The decision rule of issue 16: undici is taken if it costs at most this much more. */
const WITHIN_PERCENT = 10;
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
  const transports = createTransports(log, signal, servers);
  const polls = new Map<TransportName, PollRound[]>(TRANSPORT_NAMES.map((name) => [name, []]));
  const sends = new Map<TransportName, DeliveryRound[]>(TRANSPORT_NAMES.map((name) => [name, []]));
  try {
    for (const transport of transports) {
      ctx.log(
        `transport: ${TRANSPORT_LABELS[transport.name]}: first poll of each repository, warm-up`,
      );
      await pollMany(transport.github, poll, repos.length, false);
      await pollMany(transport.github, poll, options.transportWarmup);
      await deliverMany(transport, deliveries, options.transportWarmup);
    }
    const before = await servers.counts();
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? transports : [...transports].reverse();
      ctx.log(
        `transport: round ${round + 1} of ${rounds} (${order.map((t) => t.name).join(', ')})`,
      );
      for (const transport of order) {
        polls.get(transport.name)?.push(await pollRound(transport, poll, options.transportPolls));
      }
      for (const transport of order) {
        sends
          .get(transport.name)
          ?.push(await deliveryRound(transport, deliveries, options.transportDeliveries));
      }
    }
    const after = await servers.counts();
    report(ctx, polls, sends, {
      requestsNot304:
        after.githubRequests - before.githubRequests - (after.notModified - before.notModified),
      badSignatures: after.badSignatures,
    });
  } finally {
    for (const transport of transports) await transport.close();
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
    if (!outcome.ok)
      throw new Error(`bench: a ${transport.name} delivery failed: ${outcome.error}`);
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
  polls: ReadonlyMap<TransportName, readonly PollRound[]>,
  sends: ReadonlyMap<TransportName, readonly DeliveryRound[]>,
  checks: { requestsNot304: number; badSignatures: number },
): void {
  const { options, report } = ctx;
  const rounds = options.transportRounds;
  const scenario = `transport, ${rounds} rounds`;
  const nPolls = formatNumber(options.transportPolls);
  const nSends = formatNumber(options.transportDeliveries);
  /** The median of the rounds, shown with their range. */
  const add = (key: string, label: string, values: readonly number[], unit: string): number => {
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
    return value;
  };
  const medians = new Map<string, number>();
  for (const name of TRANSPORT_NAMES) {
    const p = polls.get(name) ?? [];
    const s = sends.get(name) ?? [];
    const who = TRANSPORT_LABELS[name];
    medians.set(
      `${name}.poll_cpu`,
      add(
        `transport.${name}.cpu_ms_per_poll`,
        `${who}: CPU per unchanged poll, ${nPolls} polls 5 at a time`,
        p.map((r) => r.cpuMsPerPoll),
        'ms',
      ),
    );
    add(
      `transport.${name}.polls_wall_s`,
      `${who}: wall time of ${nPolls} unchanged polls`,
      p.map((r) => r.wallMs / 1000),
      's',
    );
    add(
      `transport.${name}.delivery_p50_ms`,
      `${who}: delivery latency p50, ${nSends} deliveries one at a time`,
      s.map((r) => r.p50Ms),
      'ms',
    );
    medians.set(
      `${name}.p99`,
      add(
        `transport.${name}.delivery_p99_ms`,
        `${who}: delivery latency p99`,
        s.map((r) => r.p99Ms),
        'ms',
      ),
    );
    add(
      `transport.${name}.cpu_ms_per_delivery`,
      `${who}: CPU per delivery`,
      s.map((r) => r.cpuMsPerDelivery),
      'ms',
    );
  }
  const difference = (what: string): number => {
    const ours = medians.get(`node_http.${what}`) ?? NaN;
    return ((medians.get(`undici.${what}`) ?? NaN) / ours - 1) * 100;
  };
  const signed = (value: number): string => `${value > 0 ? '+' : ''}${formatNumber(value)} %`;
  const cpu = difference('poll_cpu');
  const p99 = difference('p99');
  for (const [key, label, value] of [
    ['transport.undici_vs_node_http.cpu_per_poll_percent', 'CPU per unchanged poll', cpu],
    ['transport.undici_vs_node_http.delivery_p99_percent', 'delivery latency p99', p99],
  ] as const) {
    report.add({
      key,
      scenario,
      label: `undici 7 against node:http (ours), ${label} (medians)`,
      value,
      unit: '%',
      display: signed(value),
    });
  }
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
  const within = cpu <= WITHIN_PERCENT && p99 <= WITHIN_PERCENT;
  report.note(
    `transport: undici 7 against node:http (ours): CPU per unchanged poll ${signed(cpu)}, ` +
      `delivery latency p99 ${signed(p99)}; within ${WITHIN_PERCENT} % on both: ` +
      `${within ? 'yes' : 'no'}` +
      (options.mode === 'quick' ? ' (quick mode: too few requests to go by)' : ''),
  );
}
