import { describe, expect, it } from 'vitest';
import { timeoutSignal } from './timeout-signal.js';

const gc = (globalThis as { gc?: () => void }).gc;

describe('timeoutSignal', () => {
  it('aborts after the timeout with a TimeoutError', async () => {
    const caller = new AbortController();
    const { signal } = timeoutSignal(30, caller.signal);
    await new Promise((r) => setTimeout(r, 80));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('aborts at once when a given signal aborts, with its reason', () => {
    const caller = new AbortController();
    const { signal, dispose } = timeoutSignal(10_000, caller.signal);
    caller.abort(new Error('shutting down'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('shutting down');
    dispose();
  });

  it('still fires after a garbage collection (AbortSignal.any with AbortSignal.timeout may not)', async () => {
    const caller = new AbortController();
    const { signal } = timeoutSignal(100, caller.signal);
    const aborted = new Promise<boolean>((resolve) => {
      signal.addEventListener('abort', () => resolve(true));
      setTimeout(() => resolve(false), 1_000);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(gc, 'run with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    gc?.();
    expect(await aborted).toBe(true);
  });

  it('does not fire after dispose', async () => {
    const { signal, dispose } = timeoutSignal(20);
    dispose();
    await new Promise((r) => setTimeout(r, 60));
    expect(signal.aborted).toBe(false);
  });

  it('stops following its signals once disposed', () => {
    const caller = new AbortController();
    const { signal, dispose } = timeoutSignal(10_000, caller.signal);
    dispose();
    caller.abort(new Error('later'));
    expect(signal.aborted).toBe(false);
  });

  it('is aborted from the start when a given signal already is', () => {
    const caller = new AbortController();
    caller.abort(new Error('gone'));
    const { signal } = timeoutSignal(10_000, caller.signal);
    expect((signal.reason as Error).message).toBe('gone');
  });

  it('keeps nothing alive on a long-lived signal it was derived from (one per poll)', async () => {
    expect(gc, 'run with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    const shutdown = new AbortController();
    const derive = (count: number): void => {
      for (let i = 0; i < count; i += 1) {
        // As a poll does: its deadline from the shutdown signal, the listing's from that one.
        const poll = timeoutSignal(30_000, shutdown.signal);
        const listing = timeoutSignal(15_000, poll.signal);
        listing.dispose();
        poll.dispose();
      }
    };
    const heapAfterGc = async (): Promise<number> => {
      await new Promise((r) => setTimeout(r, 20));
      gc?.();
      return process.memoryUsage().heapUsed;
    };
    derive(1_000);
    const before = await heapAfterGc();
    derive(100_000);
    // AbortSignal.any kept about 100 bytes per call here on Node 20 (10 MB).
    expect((await heapAfterGc()) - before).toBeLessThan(3_000_000);
  });
});
