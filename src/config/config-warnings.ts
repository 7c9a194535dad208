import { NO_EFFECT_KEYS } from './schema.js';
import { formatDuration } from './parse-duration.js';

/** Polls below this interval are allowed but warned about. */
export const SHORT_INTERVAL_MS = 30_000;

/** One warning per Go-compatibility key present in the file that has no effect in RepoSentry. */
export function noEffectWarnings(raw: Record<string, unknown>): string[] {
  return Object.entries(NO_EFFECT_KEYS)
    .filter(([path]) => valueAt(raw, path) !== undefined)
    .map(([path, why]) => `${path}: accepted but has no effect; ${why}`);
}

export function shortIntervalWarning(path: string, ms: number): string | undefined {
  if (ms >= SHORT_INTERVAL_MS) return undefined;
  return `${path}: ${formatDuration(ms)} is below 30s; polls this frequent use up API rate limits quickly`;
}

function valueAt(raw: Record<string, unknown>, path: string): unknown {
  let node: unknown = raw;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node ?? undefined;
}
