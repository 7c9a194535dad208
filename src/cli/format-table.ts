/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `2026-01-31T12:00:00.000Z` -> `12:00:00 (5m ago)` for people; `-` for null. */
export function when(iso: unknown, now: number = Date.now()): string {
  if (typeof iso !== 'string') return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '-';
  const delta = Math.round((at - now) / 1000);
  const span = duration(Math.abs(delta));
  const stamp = new Date(at).toISOString().replace('T', ' ').slice(0, 19);
  return `${stamp} (${delta <= 0 ? `${span} ago` : `in ${span}`})`;
}

/** Seconds as `45s`, `12m`, `3h05m`, `2d04h`. */
export function duration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

export function short(sha: unknown): string {
  return typeof sha === 'string' ? sha.slice(0, 7) : '-';
}
