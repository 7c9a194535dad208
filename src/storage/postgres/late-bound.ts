type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * Some async methods of a store, looked up at each call through `current` (so a closed storage
 * rejects with what `current` throws, rather than throwing synchronously).
 */
export function lateBound<T extends object, K extends keyof T & string>(
  current: () => T,
  methods: readonly K[],
): Pick<T, K> {
  const bound: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of methods) {
    bound[name] = (...args) => {
      try {
        const target = current();
        return (target[name] as AsyncMethod).apply(target, args as never[]);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
  }
  return bound as Pick<T, K>;
}
