import type { Daemon } from '../../src/daemon/create-daemon.js';

/**
 * Asks an in-process daemon to poll a repository now and resolves once that poll is recorded
 * (its `lastPollAt` moved), so a test can change a repository, poll, and assert step by step.
 */
export async function pollNowAndWait(
  daemon: Daemon,
  name: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const sleep = (): Promise<void> => new Promise((r) => setTimeout(r, 10));
  // Wait out a poll already under way (it may have listed before the test's change), then read
  // the last poll time: while the repository is only scheduled, no poll of it can record.
  let before: number;
  for (;;) {
    while (daemon.scheduler.entry(name)?.state !== 'scheduled') {
      if (Date.now() > deadline) throw new Error(`${name}: never scheduled`);
      await sleep();
    }
    before = (await daemon.storage.pollStates.get(name))?.lastPollAt ?? 0;
    if (daemon.scheduler.pollNow(name)) break;
  }
  while (((await daemon.storage.pollStates.get(name))?.lastPollAt ?? 0) <= before) {
    if (Date.now() > deadline) throw new Error(`${name}: the poll was not recorded`);
    await sleep();
  }
}
