/** `T`'s methods, each returning a Promise of what it returned (or of what that Promise held). */
export type Promised<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/** Runs `fn` now; its result (or the Promise it returned) resolves the Promise, its throw rejects it. */
export function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * An asynchronous view of some methods of a store, synchronous or not, looked up at each call
 * (so a closed database rejects with what `current` throws, never throws). A synchronous call
 * runs at once, in order with every other; only its outcome is delivered as a Promise.
 */
export function asyncFacade<T extends object, K extends keyof T & string>(
  current: () => T,
  methods: readonly K[],
): Promised<Pick<T, K>> {
  const facade: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of methods) {
    facade[name] = (...args) =>
      settle(() => {
        const target = current();
        return (target[name] as (...a: unknown[]) => unknown).apply(target, args);
      });
  }
  return facade as Promised<Pick<T, K>>;
}
