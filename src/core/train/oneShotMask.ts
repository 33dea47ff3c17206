// Masks chosen without training: the largest |W| (magnitude pruning) or the largest |W ⊙ ∂L/∂W|
// (attribution), keeping a fraction `keep` of each tensor's elements (or units).
import type { Model } from '../onnx/ir';
import { attribute } from './attribute';
import type { HeadSpec } from './lossHeads';
import type { TrainingData } from './TrainingData';
import type { Masks } from '../masks/applyMask';

export interface OneShotOptions {
  method: 'magnitude' | 'attribution';
  tensors: string[];
  /** Fraction of elements to keep: of each tensor (`scope` 'tensor'), or of all masked tensors together ('global'). */
  keep: number;
  scope?: 'tensor' | 'global';
  output: string;
  head: HeadSpec;
  data: TrainingData;
  unitAxes?: Map<string, number>;
  threads?: number;
}

export async function oneShotMask(model: Model, options: OneShotOptions): Promise<Masks> {
  const scores = options.method === 'attribution'
    ? await attribute(model, options.data, {
      output: options.output, head: options.head, tensors: options.tensors, threads: options.threads,
    })
    : new Map(options.tensors.map((n) => [n, model.graph.initializers.get(n)!.data as Float32Array]));
  return oneShotScores(options.tensors, (name) => scores.get(name)!, options.keep, options.scope ?? 'tensor');
}

/** Keeps the fraction `keep` of entries with the largest |score|, within each tensor or across all of them. */
export function oneShotScores(
  tensors: string[],
  scoreOf: (name: string) => ArrayLike<number>,
  keep: number,
  scope: 'tensor' | 'global',
): Masks {
  const masks: Masks = new Map();
  if (scope === 'global') {
    // One ranking over the concatenation of all tensors, then split back.
    const all = new Float32Array(tensors.reduce((n, t) => n + scoreOf(t).length, 0));
    let at = 0;
    for (const t of tensors) { all.set(scoreOf(t), at); at += scoreOf(t).length; }
    const kept = topFraction(all, keep);
    at = 0;
    for (const t of tensors) { const n = scoreOf(t).length; masks.set(t, kept.slice(at, at + n)); at += n; }
    return masks;
  }
  for (const name of tensors) masks.set(name, topFraction(scoreOf(name), keep));
  return masks;
}

/** 1 for the ⌈keep·n⌉ entries of largest magnitude (ties broken by index). */
export function topFraction(scores: ArrayLike<number>, keep: number): Uint8Array {
  const n = scores.length;
  const k = Math.min(n, Math.ceil(keep * n));
  const out = new Uint8Array(n);
  if (k === 0) return out;
  // Threshold = the k-th largest magnitude (a native numeric sort of a copy), then ties in index order.
  const mags = Float64Array.from({ length: n }, (_, i) => Math.abs(scores[i]!)).sort();
  const threshold = mags[n - k]!;
  let taken = 0;
  for (let i = 0; i < n; i++) if (Math.abs(scores[i]!) > threshold) { out[i] = 1; taken++; }
  for (let i = 0; i < n && taken < k; i++) if (Math.abs(scores[i]!) === threshold) { out[i] = 1; taken++; }
  return out;
}
