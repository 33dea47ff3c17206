// Pure arithmetic over the overlay view model's membership-pattern counts (no DOM).
import type { NodeOverlay, OverlayView } from '../src/shared/viewModel';

/** Which masks count: one seed, or "kept in at least k of S seeds" (inclusion frequency ≥ k / S). */
export type SeedChoice = { kind: 'frequency'; atLeast: number } | { kind: 'seed'; index: number };

export function patternCounts(node: NodeOverlay, choice: SeedChoice): number[] {
  const rows = choice.kind === 'seed' ? node.bySeed : node.atLeast;
  const i = choice.kind === 'seed' ? choice.index : choice.atLeast - 1;
  return rows[Math.max(0, Math.min(rows.length - 1, i))] ?? [];
}

/** Fraction of the node's masked elements kept by subnetwork i. */
export function keptFraction(counts: number[], total: number, i: number): number {
  if (!total) return 0;
  let s = 0;
  for (let p = 0; p < counts.length; p++) if (p & (1 << i)) s += counts[p]!;
  return s / total;
}

/** Fraction kept by every subnetwork in `visible` (a bit set); 0 when fewer than two are visible. */
export function intersectionFraction(counts: number[], total: number, visible: number): number {
  if (!total || popcount(visible) < 2) return 0;
  let s = 0;
  for (let p = 0; p < counts.length; p++) if ((p & visible) === visible) s += counts[p]!;
  return s / total;
}

/** Fraction kept by subnetwork i and by no other subnetwork in `visible`. */
export function exclusiveFraction(counts: number[], total: number, i: number, visible: number): number {
  if (!total) return 0;
  let s = 0;
  for (let p = 0; p < counts.length; p++) if ((p & visible) === 1 << i) s += counts[p]!;
  return s / total;
}

export interface PairStats {
  a: number;
  b: number;
  intersection: number;
  iou: number | null;
  ioMin: number | null;
}

export function pairStats(counts: number[], i: number, j: number): PairStats {
  let a = 0;
  let b = 0;
  let both = 0;
  for (let p = 0; p < counts.length; p++) {
    const c = counts[p]!;
    const x = (p >> i) & 1;
    const y = (p >> j) & 1;
    if (x) a += c;
    if (y) b += c;
    if (x && y) both += c;
  }
  const union = a + b - both;
  return { a, b, intersection: both, iou: union > 0 ? both / union : null,
    ioMin: Math.min(a, b) > 0 ? both / Math.min(a, b) : null };
}

export function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** All unordered pairs (i < j) of subnetwork indices. */
export function pairs(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}

/** Subnetwork × subnetwork matrix of IoU or IoMin over the whole model; the diagonal is across-seed stability. */
export function overlapMatrix(overlay: OverlayView, choice: SeedChoice, metric: 'iou' | 'ioMin'): (number | null)[][] {
  const n = overlay.subnetworks.length;
  const counts = patternCounts(overlay.model, choice);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    if (i === j) return overlay.stability[metric][i] ?? null;
    return pairStats(counts, i, j)[metric];
  }));
}

export function describeChoice(overlay: OverlayView, choice: SeedChoice): string {
  const S = overlay.seeds.length;
  if (choice.kind === 'seed') return `seed ${overlay.seeds[choice.index] ?? '?'}`;
  return choice.atLeast === 1 ? `kept in any of ${S} seeds`
    : choice.atLeast === S ? `kept in all ${S} seeds`
    : `kept in ≥ ${choice.atLeast} of ${S} seeds`;
}
