// Overlap between binary masks: per initializer and in total, for every pair of subroutines (same seed)
// and for every pair of seeds of one subroutine (stability). Union is |A ∪ B| = |A| + |B| − |A ∩ B|,
// counted element by element (the reference code's IoU divided by |A| + |B|).
import type { MaskRef, OverlapMatrix, OverlapPair, OverlapResult, OverlapStats } from '../../shared/results';

/** Initializer name → flat 0/1 mask (any non-zero counts as kept). */
export type MaskSet = Record<string, Uint8Array>;

export function overlapStats(a: Uint8Array, b: Uint8Array): OverlapStats {
  if (a.length !== b.length) throw new Error(`overlapStats: masks have ${a.length} and ${b.length} elements`);
  let keptA = 0;
  let keptB = 0;
  let intersection = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x) keptA++;
    if (y) keptB++;
    if (x && y) intersection++;
  }
  return statsFromCounts(a.length, keptA, keptB, intersection);
}

function statsFromCounts(size: number, keptA: number, keptB: number, intersection: number): OverlapStats {
  const union = keptA + keptB - intersection;
  return {
    size, keptA, keptB, intersection, union,
    keptFractionA: size ? keptA / size : 0,
    keptFractionB: size ? keptB / size : 0,
    iou: union > 0 ? intersection / union : null,
    ioMin: Math.min(keptA, keptB) > 0 ? intersection / Math.min(keptA, keptB) : null,
  };
}

/** Per-layer and total overlap of two mask sets over the same initializers. */
export function overlapPair(a: MaskSet, b: MaskSet, refA: MaskRef, refB: MaskRef): OverlapPair {
  const names = Object.keys(a);
  const missing = names.find((n) => !Object.hasOwn(b, n)) ?? Object.keys(b).find((n) => !Object.hasOwn(a, n));
  if (missing !== undefined) throw new Error(`overlapPair: initializer '${missing}' is masked in only one of ` +
    `${refA.subroutine}/seed-${refA.seed} and ${refB.subroutine}/seed-${refB.seed}`);
  // Keyed by tensor names, which may be `__proto__` or `constructor`: no prototype to collide with.
  const layers: Record<string, OverlapStats> = Object.create(null);
  let size = 0, kA = 0, kB = 0, inter = 0;
  for (const n of names) {
    const s = overlapStats(a[n]!, b[n]!);
    layers[n] = s;
    size += s.size; kA += s.keptA; kB += s.keptB; inter += s.intersection;
  }
  return { a: refA, b: refB, total: statsFromCounts(size, kA, kB, inter), layers };
}

function meanOrNull(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((p, q) => p + q, 0) / v.length : null;
}

/**
 * All pairs: subroutines i ≠ j compared seed by seed (seeds both have), and each subroutine's seeds
 * compared pairwise. Matrix entries are means over those pairs (null when there is no pair).
 */
export function computeOverlap(masks: Record<string, Record<number, MaskSet>>,
  names: string[] = Object.keys(masks)): OverlapResult {
  const pairs: OverlapPair[] = [];
  const stability: Record<string, OverlapPair[]> = {};
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const A = masks[names[i]!] ?? {};
      const B = masks[names[j]!] ?? {};
      for (const seed of Object.keys(A).map(Number).sort((x, y) => x - y)) {
        if (B[seed])
          pairs.push(overlapPair(A[seed]!, B[seed]!, { subroutine: names[i]!, seed }, { subroutine: names[j]!, seed }));
      }
    }
  }
  for (const n of names) {
    const bySeed = masks[n] ?? {};
    const seeds = Object.keys(bySeed).map(Number).sort((x, y) => x - y);
    stability[n] = [];
    for (let i = 0; i < seeds.length; i++) {
      for (let j = i + 1; j < seeds.length; j++) {
        stability[n]!.push(overlapPair(bySeed[seeds[i]!]!, bySeed[seeds[j]!]!, { subroutine: n, seed: seeds[i]! },
          { subroutine: n, seed: seeds[j]! }));
      }
    }
  }
  const pairsOf = (i: number, j: number): OverlapPair[] => {
    if (i === j) return stability[names[i]!] ?? [];
    const [x, y] = i < j ? [names[i], names[j]] : [names[j], names[i]];
    return pairs.filter((p) => p.a.subroutine === x && p.b.subroutine === y);
  };
  const layerNames = [...new Set([...pairs, ...Object.values(stability).flat()].flatMap((p) => Object.keys(p.layers)))];
  const build = (pick: (p: OverlapPair) => OverlapStats | undefined, key: 'iou' | 'ioMin') =>
    names.map((_, i) => names.map((__, j) => meanOrNull(pairsOf(i, j).map((p) => pick(p)?.[key] ?? null))));
  const matrix: OverlapMatrix = {
    names: [...names],
    iou: build((p) => p.total, 'iou'),
    ioMin: build((p) => p.total, 'ioMin'),
    layers: Object.fromEntries(
      layerNames.map((l) => [l, { iou: build((p) => p.layers[l], 'iou'), ioMin: build((p) => p.layers[l], 'ioMin') }])),
  };
  return { pairs, stability, matrix };
}
