import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../errors/reposentry-error.js';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger } from '../logging/create-logger.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import { PollBudget } from './poll-budget.js';
import { QuotaTracker } from './quota-tracker.js';
import { RequestGate } from './request-gate.js';
import { TokenBucket } from './token-bucket.js';

/** A real logger writing JSON lines into memory. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({
    level: 'debug',
    format: 'json',
    secrets: new SecretRegistry(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { log, entries: () => lines };
}

describe('RequestGate', () => {
  const setup = () => {
    const capture = memoryLogger();
    const quota = new QuotaTracker('github', 'api.example', 'anonymous');
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1000 });
    const gate = new RequestGate(
      quota,
      [{ bucket, label: 'test', refundWhenFree: true }],
      capture.log,
    );
    return { capture, quota, gate };
  };

  it('fails fast with RateLimitError when the reset is further away than the budget', async () => {
    const { quota, gate } = setup();
    const resetAt = new Date(Date.now() + 3_600_000);
    quota.update({ limit: 5000, remaining: 0, resetAt });
    const budget = PollBudget.start(new AbortController().signal, 1000);
    const err = await gate.acquire(budget, 'app').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).resetAt).toEqual(resetAt);
  });

  it('waits for a reset that fits the budget, logs it and shows it in the snapshot', async () => {
    const { quota, gate, capture } = setup();
    quota.update({ limit: 60, remaining: 0, resetAt: new Date(Date.now() + 200) });
    const budget = PollBudget.start(new AbortController().signal, 5000);
    const pending = gate.acquire(budget, 'app');
    expect(quota.snapshot()?.waitingUntil).toBeInstanceOf(Date);
    await pending;
    expect(quota.snapshot()?.waitingUntil).toBeUndefined();
    expect(
      capture.entries().find((e) => e.message === 'Waiting for rate limit reset'),
    ).toMatchObject({
      level: 'info',
      repo: 'app',
      host: 'api.example',
    });
  });

  it('stops waiting as soon as the caller cancels', async () => {
    const { quota, gate } = setup();
    quota.block(new Date(Date.now() + 2000));
    const controller = new AbortController();
    const budget = PollBudget.start(controller.signal, 10_000);
    const pending = gate.acquire(budget, 'app');
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
  });
});
