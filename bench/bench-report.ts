/**
 * Figures of a bench run: each printed with its scenario when measured, and at the end a table
 * of every figure that has a target (target, measured value, met or not), plus a JSON file for
 * tools (the quick-mode test reads it).
 */

export interface Target {
  /** As printed, e.g. `<= 1 ms`. */
  readonly text: string;
  readonly met: (value: number) => boolean;
}

export interface Figure {
  /** Stable id, e.g. `quota.n100.unchanged.units_per_cycle`. */
  readonly key: string;
  readonly scenario: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** How the value is shown, when not `value unit`. */
  readonly display?: string;
  readonly target?: Target;
}

export const atMost = (limit: number, unit: string): Target => ({
  text: `<= ${formatNumber(limit)} ${unit}`.trim(),
  met: (value) => value <= limit,
});

export const atLeast = (limit: number, unit: string): Target => ({
  text: `>= ${formatNumber(limit)} ${unit}`.trim(),
  met: (value) => value >= limit,
});

export const exactly = (expected: number, unit: string): Target => ({
  text: `= ${formatNumber(expected)} ${unit}`.trim(),
  met: (value) => value === expected,
});

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits =
    Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function shown(figure: Figure): string {
  return figure.display ?? `${formatNumber(figure.value)} ${figure.unit}`.trim();
}

export class BenchReport {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  constructor(private readonly print: (line: string) => void) {}

  add(figure: Figure): Figure {
    this.figures.push(figure);
    const verdict = figure.target
      ? `   [target ${figure.target.text}: ${figure.target.met(figure.value) ? 'met' : 'NOT met'}]`
      : '';
    this.print(`  [${figure.scenario}] ${figure.label}: ${shown(figure)}${verdict}`);
    return figure;
  }

  note(text: string): void {
    this.notes.push(text);
    this.print(`  note: ${text}`);
  }

  value(key: string): number | undefined {
    return this.figures.find((f) => f.key === key)?.value;
  }

  /** The closing table: every figure with a target. */
  table(): string {
    const rows = this.figures
      .filter((f) => f.target !== undefined)
      .map((f) => [
        `${f.scenario}: ${f.label}`,
        f.target?.text ?? '',
        shown(f),
        f.target?.met(f.value) ? 'yes' : 'NO',
      ]);
    const header = ['figure', 'target', 'measured', 'met'];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
    );
    const line = (cells: string[]): string =>
      `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
    return [
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...rows.map(line),
    ].join('\n');
  }

  toJson(extra: Record<string, unknown>): string {
    return JSON.stringify(
      {
        ...extra,
        figures: this.figures.map((f) => ({
          key: f.key,
          scenario: f.scenario,
          label: f.label,
          value: f.value,
          unit: f.unit,
          display: shown(f),
          ...(f.target ? { target: f.target.text, met: f.target.met(f.value) } : {}),
        })),
        notes: this.notes,
      },
      null,
      2,
    );
  }
}

/** Nearest-rank percentile of `values` (not sorted in place); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
