import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Deletes rotated siblings of `file` (file1.log, file.log.1, file1.log.gz, ...) whose last change
 * is older than `maxAgeMs`. The live file is never touched. Failures are ignored: pruning is
 * housekeeping and must never break logging.
 */
export async function pruneRotatedLogs(
  file: string,
  maxAgeMs: number,
  now: number = Date.now(),
): Promise<string[]> {
  const dir = path.dirname(file);
  const ext = path.extname(file);
  const stem = path.basename(file, ext);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (name === path.basename(file) || !name.startsWith(stem)) continue;
    const rest = name.slice(stem.length);
    if (!/^\d*(\.[^.]+)?(\.\d+)?(\.gz)?$/.test(rest) || rest === ext) continue;
    const full = path.join(dir, name);
    try {
      const info = await stat(full);
      if (now - info.mtimeMs > maxAgeMs) {
        await unlink(full);
        removed.push(full);
      }
    } catch {
      // Already gone or unreadable: nothing to prune.
    }
  }
  return removed;
}
