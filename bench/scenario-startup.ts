/**
 * Figure 4: start-up time to /readyz with N repositories configured: the first start (empty
 * database) and a restart on the database the first run left (state and ETags of every
 * repository), plus what the first cycle after that restart costs in quota.
 */
import type { BenchContext } from './bench-context.js';
import { engineKey, onEngine } from './bench-options.js';
import { atMost, exactly, formatNumber } from './bench-report.js';
import type { PollingRun } from './polling-run.js';

export function reportColdStart(ctx: BenchContext, run: PollingRun): void {
  const engine = run.database.engine;
  ctx.report.add({
    key: engineKey('startup.cold_ms', engine),
    scenario: onEngine(`start-up N=${formatNumber(run.n)}`, engine),
    label: `spawn to /readyz 200, ${formatNumber(run.n)} repositories, empty database (${ctx.runtime})`,
    value: run.coldStartMs,
    unit: 'ms',
    target: atMost(2000, 'ms'),
  });
}

export async function measureRestart(ctx: BenchContext, run: PollingRun): Promise<void> {
  const { report } = ctx;
  const { github, receiver } = run;
  const engine = run.database.engine;
  const scenario = onEngine(`start-up N=${formatNumber(run.n)}`, engine);
  // Everything pushed so far is detected and delivered, so the next cycle has nothing new.
  await receiver.waitForEvents(github.pushes(), ctx.options.stepTimeoutMs);
  await run.settle();
  ctx.log(`${scenario}: SIGTERM and restart on the same database`);
  const before = github.counts('daemon').quotaUnits;
  const polledBefore = github.pollCounts();
  const { startupMs, exitCode } = await run.restart();
  report.add({
    key: engineKey('startup.stop_exit_code', engine),
    scenario,
    label: 'exit code after SIGTERM',
    value: exitCode ?? -1,
    unit: '',
  });
  report.add({
    key: engineKey('startup.warm_ms', engine),
    scenario,
    label: `spawn to /readyz 200 after a restart, ${formatNumber(run.n)} repositories and their state in the database (${ctx.runtime})`,
    value: startupMs,
    unit: 'ms',
    target: atMost(2000, 'ms'),
  });
  await run.completeCycleSince(polledBefore);
  report.add({
    key: engineKey('startup.first_cycle_after_restart_units', engine),
    scenario,
    label: `quota units of the first cycle after the restart (ETags kept in ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
    value: github.counts('daemon').quotaUnits - before,
    unit: 'units',
    target: exactly(0, 'units'),
  });
}
