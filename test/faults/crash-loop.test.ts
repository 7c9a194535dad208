import { describe, expect, it } from 'vitest';
import { runCrashLoop } from './crash-loop.js';

describe('a daemon SIGKILLed 20 times while commits keep landing', () => {
  it('records every transition once (repeated ones again), in an unbroken chain per ref, and delivers all of them', async () => {
    const result = await runCrashLoop({ kills: 20, repositories: 3, maxRunMs: 1_500 });
    console.log(
      `crash loop: ${result.kills} kills, ${result.commits} commits, ${result.events} events (${result.repeated} repeats of an earlier transition), ${result.delivered} delivered, ${result.duplicates} duplicate deliveries`,
    );
    expect(result.events).toBeGreaterThan(10);
    // A branch moved back and forth and a tag re-pushed: the same transitions happen again.
    expect(result.repeated).toBeGreaterThan(0);
    expect(result.brokenChains).toEqual([]);
    expect(result.undelivered).toEqual([]);
    expect(result.unsettled).toBe(0);
    expect(result.badSignatures).toBe(0);
    // At-least-once may resend what was in flight at a kill: at most a few per kill.
    expect(result.duplicates).toBeLessThanOrEqual(result.kills * 3);
  }, 240_000);
});
