import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollBudget } from './poll-budget.js';

const later = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

describe('PollBudget', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts at its deadline with a timeout, and at the caller cancel with cancelled', async () => {
    const budget = PollBudget.start(new AbortController().signal, 20);
    await later(60);
    expect(budget.expired).toBe(true);
    expect(budget.abortError('listing', 'forge-unavailable').code).toBe('forge-unavailable');
    const caller = new AbortController();
    const cancelled = PollBudget.start(caller.signal, 10_000);
    caller.abort();
    expect(cancelled.signal.aborted).toBe(true);
    expect(cancelled.abortError('listing', 'git-timeout').code).toBe('cancelled');
  });

  it('never fires once disposed, and a slice ends no later than its parent', async () => {
    const budget = PollBudget.start(new AbortController().signal, 20);
    const slice = budget.slice(10_000);
    expect(slice.deadlineAt).toBe(budget.deadlineAt);
    budget.dispose();
    slice.dispose();
    await later(60);
    expect(budget.signal.aborted).toBe(false);
    expect(slice.signal.aborted).toBe(false);
  });

  it('without a deadline follows the caller alone, with no timer of its own', () => {
    const caller = new AbortController();
    const budget = PollBudget.unbounded(caller.signal);
    expect(budget.signal).toBe(caller.signal);
    expect(budget.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(budget.expired).toBe(false);
    caller.abort();
    expect(budget.expired).toBe(true);
  });
});
