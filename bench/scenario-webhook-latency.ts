/**
 * Webhook to delivery: repositories polled only once an hour, each change followed by a signed
 * GitHub push hook to /hooks/github (as GitHub would send it); latency = when the receiver had the
 * delivery minus when the round's pushes were made. Against `latency.commit_p99_ms`, which waits
 * for a poll of a 1 s interval, and an interval of minutes in practice.
 */
import { createHmac } from 'node:crypto';
import type { BenchContext } from './bench-context.js';
import { BENCH_INTAKE_SECRET } from './bench-config.js';
import { repoName } from './bench-github.js';
import { atMost, formatNumber, percentile } from './bench-report.js';
import { wallClockMs } from './bench-receiver.js';
import { startPollingRun } from './polling-run.js';

export async function measureWebhookLatency(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const repositories = options.latencyRepositories;
  const scenario = `webhook latency ${formatNumber(options.latencyChanges)} changes`;
  ctx.log(`${scenario}: ${repositories} repositories polled every 1h, a webhook per change`);
  const run = await startPollingRun(ctx, repositories, {
    interval: '1h',
    manyBranches: false,
    intake: true,
  });
  try {
    await run.completeCycle(1);
    let made = 0;
    let refused = 0;
    const latencies: number[] = [];
    while (made < options.latencyChanges) {
      const round = Math.min(options.latencyChangesPerRound, options.latencyChanges - made);
      const pushedAt = wallClockMs();
      const hooks: Promise<number>[] = [];
      for (let j = 0; j < round; j += 1) {
        const index = (made + j) % repositories;
        run.github.push(index);
        hooks.push(
          sendHook(run.daemon().base, `${run.github.url}/bench-org/${repoName(index)}.git`),
        );
      }
      const statuses = await Promise.all(hooks);
      refused += statuses.filter((status) => status !== 202).length;
      if (refused > 0) throw new Error(`bench: webhooks refused: ${statuses.join(', ')}`);
      made += round;
      await run.receiver.waitForEvents(made, options.stepTimeoutMs);
      for (const arrival of run.receiver.arrivals().slice(made - round, made)) {
        latencies.push(arrival.atMs - pushedAt);
      }
    }
    report.add({
      key: 'webhook_latency.refused',
      scenario,
      label: 'webhooks not accepted (202)',
      value: refused,
      unit: 'hooks',
    });
    report.add({
      key: 'webhook_latency.p50_ms',
      scenario,
      label: 'commit to delivery with a webhook, p50',
      value: percentile(latencies, 50),
      unit: 'ms',
    });
    report.add({
      key: 'webhook_latency.p99_ms',
      scenario,
      label: 'commit to delivery with a webhook, p99 (polling every 1h)',
      value: percentile(latencies, 99),
      unit: 'ms',
      target: atMost(1000, 'ms'),
    });
    report.add({
      key: 'webhook_latency.duplicates',
      scenario,
      label: 'events delivered more than once',
      value: run.receiver.duplicates().length,
      unit: 'events',
    });
  } finally {
    await run.close();
  }
}

/** One GitHub push hook for the repository at `cloneUrl`, signed with the intake secret. */
async function sendHook(base: string, cloneUrl: string): Promise<number> {
  const body = JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: cloneUrl } });
  const signature = createHmac('sha256', BENCH_INTAKE_SECRET).update(body).digest('hex');
  const response = await fetch(`${base}/hooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${signature}`,
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}
