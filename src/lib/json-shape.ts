/**
 * Reading JSON of unknown shape (a Git host's answer, a stored cache body) field by field,
 * without casts: an object, or a string, or nothing.
 */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
