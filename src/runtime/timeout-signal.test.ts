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
});
