/**
 * Figure 4: start-up time to /readyz with N repositories configured: the first start (empty
 * database) and a restart on the database the first run left (state and ETags of every
 * repository), plus what the first cycle after that restart costs in quota.
 */
import type { BenchContext } from './bench-context.js';
import { atMost, exactly, formatNumber } from './bench-report.js';
import type { PollingRun } from './polling-run.js';

export function reportColdStart(ctx: BenchContext, run: PollingRun): void {
  ctx.report.add({
    key: 'startup.cold_ms',
    scenario: `start-up N=${formatNumber(run.n)}`,
    label: `spawn to /readyz 200, ${formatNumber(run.n)} repositories, empty database (${ctx.runtime})`,
    value: run.coldStartMs,
    unit: 'ms',
    target: atMost(2000, 'ms'),
  });
}

export async function measureRestart(ctx: BenchContext, run: PollingRun): Promise<void> {
  const { report } = ctx;
  const { github, receiver } = run;
  const scenario = `start-up N=${formatNumber(run.n)}`;
  // Everything pushed so far is detected and delivered, so the next cycle has nothing new.
  await receiver.waitForEvents(github.pushes(), ctx.options.stepTimeoutMs);
  await run.settle();
  ctx.log(`${scenario}: SIGTERM and restart on the same database`);
  const before = github.counts('daemon').quotaUnits;
  const polledBefore = github.pollCounts();
  const { startupMs, exitCode } = await run.restart();
  report.add({
    key: 'startup.stop_exit_code',
    scenario,
    label: 'exit code after SIGTERM',
    value: exitCode ?? -1,
    unit: '',
  });
  report.add({
    key: 'startup.warm_ms',
    scenario,
    label: `spawn to /readyz 200 after a restart, ${formatNumber(run.n)} repositories and their state in the database (${ctx.runtime})`,
    value: startupMs,
    unit: 'ms',
    target: atMost(2000, 'ms'),
  });
  await run.completeCycleSince(polledBefore);
  report.add({
    key: 'startup.first_cycle_after_restart_units',
    scenario,
    label: 'quota units of the first cycle after the restart (ETags kept in SQLite)',
    value: github.counts('daemon').quotaUnits - before,
    unit: 'units',
    target: exactly(0, 'units'),
  });
}
