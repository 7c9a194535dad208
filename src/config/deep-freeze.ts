/**
 * Freezes an object graph in place and returns it typed as deeply readonly. RegExp instances are
 * left unfrozen: freezing one makes its `lastIndex` read-only, which breaks global matching.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || value instanceof RegExp) return value;
  if (Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) {
    deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
