/** Polls `predicate` (which may answer later) every 25 ms until it is truthy; throws after `timeoutMs`. */
export async function waitFor(
  predicate: () => unknown,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
