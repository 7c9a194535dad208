/**
 * Figure 1: quota units per poll cycle for N GitHub repositories, unchanged and with 1% of them
 * changing per cycle, beside a Go-RepoSentry-style poller (no conditional requests, first page
 * only) on the same server in the same run. The server counts what each client spends.
 */
import { performance } from 'node:perf_hooks';
import { BENCH_TOKEN } from './bench-config.js';
import type { BenchContext } from './bench-context.js';
import { engineKey, onEngine } from './bench-options.js';
import { exactly, formatNumber } from './bench-report.js';
import { metricSum } from './daemon-child.js';
import { goStyleCycle } from './go-style-poller.js';
import type { PollingRun } from './polling-run.js';

interface Snapshot {
  readonly units: number;
  readonly requests: number;
  readonly notModified: number;
  /** What the daemon itself reports: reposentry_forge_requests_total{kind="quota"}. */
  readonly reportedUnits: number;
}

export async function measureQuota(ctx: BenchContext, run: PollingRun): Promise<void> {
  const { n, github, receiver } = run;
  const { report } = ctx;
  const cycles = ctx.options.quotaCycles;
  const engine = run.database.engine;
  const scenario = onEngine(`quota N=${formatNumber(n)}`, engine);
  const key = engineKey(`quota.n${n}`, engine);
  const snapshot = async (): Promise<Snapshot> => {
    const counts = github.counts('daemon');
    const metrics = await run.daemon().metrics();
    return {
      units: counts.quotaUnits,
      requests: counts.requests,
      notModified: counts.notModified,
      reportedUnits: metricSum(metrics, 'reposentry_forge_requests_total', 'kind="quota"'),
    };
  };

  ctx.log(`${scenario}: first cycle (baseline), interval ${run.interval}`);
  await run.completeCycle(1);
  const baseline = await snapshot();
  const baselineSeconds = (performance.now() - run.spawnedAt()) / 1000;
  report.add({
    key: `${key}.baseline.units`,
    scenario,
    label: 'quota units of the first cycle (baseline: every page of every repository)',
    value: baseline.units,
    unit: 'units',
  });
  report.add({
    key: `${key}.baseline.seconds`,
    scenario,
    label: 'first cycle done (from spawn)',
    value: baselineSeconds,
    unit: 's',
  });

  let k = 1;
  ctx.log(`${scenario}: ${cycles} unchanged cycle(s)`);
  const unchangedFrom = await snapshot();
  for (let c = 0; c < cycles; c += 1) await run.completeCycle((k += 1));
  const unchangedTo = await snapshot();
  const unchangedUnits = (unchangedTo.units - unchangedFrom.units) / cycles;
  report.add({
    key: `${key}.unchanged.units_per_cycle`,
    scenario,
    label: 'quota units per cycle, no repository changing',
    value: unchangedUnits,
    unit: 'units',
    target: exactly(0, 'units'),
  });
  report.add({
    key: `${key}.unchanged.requests_per_cycle`,
    scenario,
    label: 'requests per cycle, no repository changing (304s included)',
    value: (unchangedTo.requests - unchangedFrom.requests) / cycles,
    unit: 'requests',
  });
  const goUnchanged = await goCycle(ctx, run);
  report.add({
    key: `${key}.unchanged.go_style_units_per_cycle`,
    scenario,
    label: 'Go RepoSentry style: quota units per cycle, no repository changing',
    value: goUnchanged.units,
    unit: 'units',
  });
  report.add({
    key: `${key}.unchanged.go_style_ratio`,
    scenario,
    label: 'Go RepoSentry style / RepoSentry quota units, no repository changing',
    value: ratio(goUnchanged.units, unchangedUnits),
    unit: 'x',
    display: ratioText(goUnchanged.units, unchangedUnits),
  });

  const perCycle = Math.max(1, Math.round(n / 100));
  ctx.log(`${scenario}: ${cycles} cycle(s) with ${perCycle} of ${n} repositories changing`);
  const changingFrom = await snapshot();
  const deliveredBefore = receiver.arrivals().length;
  let pushed = 0;
  for (let c = 0; c < cycles; c += 1) {
    for (let j = 0; j < perCycle; j += 1) github.push(spread(pushed++, n));
    await run.completeCycle((k += 1));
  }
  await receiver.waitForEvents(deliveredBefore + pushed, ctx.options.stepTimeoutMs);
  await run.settle();
  const changingTo = await snapshot();
  const changesInWindow = pushed;
  const deliveriesInWindow = receiver.arrivals().length - deliveredBefore;
  const changingUnits = (changingTo.units - changingFrom.units) / cycles;
  report.add({
    key: `${key}.changing.changes_per_cycle`,
    scenario,
    label: 'repositories changing per cycle',
    value: perCycle,
    unit: `of ${formatNumber(n)}`,
  });
  report.add({
    key: `${key}.changing.units_per_cycle`,
    scenario,
    label: `quota units per cycle, ${formatNumber(perCycle)} repositories changing`,
    value: changingUnits,
    unit: 'units',
  });
  report.add({
    key: `${key}.changing.requests_per_cycle`,
    scenario,
    label: `requests per cycle, ${formatNumber(perCycle)} repositories changing (304s included)`,
    value: (changingTo.requests - changingFrom.requests) / cycles,
    unit: 'requests',
  });
  for (let j = 0; j < perCycle; j += 1) github.push(spread(pushed++, n));
  const goChanging = await goCycle(ctx, run);
  report.add({
    key: `${key}.changing.go_style_units_per_cycle`,
    scenario,
    label: `Go RepoSentry style: quota units per cycle, ${formatNumber(perCycle)} repositories changing`,
    value: goChanging.units,
    unit: 'units',
  });
  report.add({
    key: `${key}.changing.go_style_ratio`,
    scenario,
    label: `Go RepoSentry style / RepoSentry quota units, ${formatNumber(perCycle)} repositories changing`,
    value: ratio(goChanging.units, changingUnits),
    unit: 'x',
    display: ratioText(goChanging.units, changingUnits),
  });
  report.add({
    key: `${key}.go_style.branches_seen`,
    scenario,
    label: 'branches a first-page-only poll sees (GitHub default page of 30)',
    value: goChanging.branchesSeen,
    unit: 'branches',
    display: `${formatNumber(goChanging.branchesSeen)} of ${formatNumber(totalBranches(run))} branches`,
  });
  report.add({
    key: `${key}.server_vs_reported_units`,
    scenario,
    label: 'quota units counted by the server minus those the daemon reports in /metrics',
    value:
      changingTo.units -
      unchangedFrom.units -
      (changingTo.reportedUnits - unchangedFrom.reportedUnits),
    unit: 'units',
  });
  report.add({
    key: `${key}.changing.deliveries`,
    scenario,
    label: `deliveries received for the ${formatNumber(changesInWindow)} changes of the changing cycles`,
    value: deliveriesInWindow,
    unit: 'deliveries',
  });
  report.add({
    key: `${key}.duplicate_deliveries`,
    scenario,
    label: 'events delivered more than once',
    value: receiver.duplicates().length,
    unit: 'events',
  });
}

/** The j-th repository to change: spread over the list, never the same twice in a row. */
function spread(j: number, n: number): number {
  const stride = n > 7 ? 7 : 1;
  return (j * stride) % n;
}

async function goCycle(
  ctx: BenchContext,
  run: PollingRun,
): Promise<{ units: number; branchesSeen: number }> {
  const before = run.github.counts('other').quotaUnits;
  const cycle = await goStyleCycle(run.github.apiBaseUrl, BENCH_TOKEN, run.github.repos);
  if (cycle.failures > 0) throw new Error(`bench: ${cycle.failures} Go-style requests failed`);
  const units = run.github.counts('other').quotaUnits - before;
  ctx.log(`Go RepoSentry style cycle: ${cycle.requests} requests, ${units} quota units`);
  return { units, branchesSeen: cycle.branchesSeen };
}

function totalBranches(run: PollingRun): number {
  let total = 0;
  for (const repo of run.github.repos) total += run.github.branches(repo.index).size;
  return total;
}

function ratio(theirs: number, ours: number): number {
  return ours === 0 ? Number.POSITIVE_INFINITY : theirs / ours;
}

function ratioText(theirs: number, ours: number): string {
  const value = ratio(theirs, ours);
  const text = Number.isFinite(value) ? `${formatNumber(value)}x` : 'unbounded';
  return `${text} (${formatNumber(theirs)} vs ${formatNumber(ours)} units)`;
}
