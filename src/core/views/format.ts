// How numbers read in every table and summary (report.html, CLI tables, the extension's Markdown and tree),
// so that one value prints the same everywhere: "12.30 %", "+0.41", "3.2e-5", and "–" when there is none.
export const NONE = '–';

type Maybe = number | null | undefined;
const missing = (x: Maybe): x is null | undefined => x === null || x === undefined || !Number.isFinite(x);

export function formatNumber(x: Maybe, digits = 3): string {
  return missing(x) ? NONE : x.toFixed(digits);
}

/** A fraction as a percentage: 0.123 → "12.30 %". */
export function formatPercent(x: Maybe, digits = 2): string {
  return missing(x) ? NONE : `${(100 * x).toFixed(digits)} %`;
}

/** A score with its sign always shown (a real minus sign, which lines up with the plus). */
export function formatSigned(x: Maybe, digits = 2): string {
  return missing(x) ? NONE : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}

/** A p-value: small ones in exponent form, so that 1e-4 does not print as 0.000. */
export function formatPValue(x: Maybe): string {
  return !missing(x) && x > 0 && x < 1e-3 ? x.toExponential(1) : formatNumber(x);
}

/** Columns two spaces apart, indented by two; the `left` columns left-aligned, the others (numbers) right-aligned. */
export function formatTable(rows: string[][], left: number[] = [0, 3]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const pad = (cell: string, c: number) => (left.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!));
  return rows.map((r) => `  ${r.map(pad).join('  ')}`.trimEnd());
}
