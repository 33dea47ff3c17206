// Effective weights of the evaluation conditions, from the intact weights and a binary mask.
import type { Rng } from '../util/random';
import type { AblationMode } from '../../shared/spec';

export type Weights = Map<string, Float32Array>;
export type Masks = Map<string, Uint8Array>;
/**
 * Keep the masked weights (`keep` = true, the subnetwork) or remove them (`keep` = false, the ablation). Removed
 * weights become 0 (`zero`), the tensor's mean (`mean`) or draws with the tensor's own mean and sd (`random-reinit`).
 */
export function applyMask(weights: Weights, masks: Masks, keep: boolean, mode: AblationMode, rng?: Rng): Weights {
  const out: Weights = new Map(weights);
  for (const [name, m] of masks) {
    const w = weights.get(name)!;
    const { mean, sd } = moments(w);
    const e = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) {
      const stays = keep ? m[i] === 1 : m[i] === 0;
      e[i] = stays ? w[i]! : mode === 'zero' ? 0 : mode === 'mean' ? mean : mean + sd * rng!.normal();
    }
    out.set(name, e);
  }
  return out;
}

/** A random mask with exactly as many ones per tensor as `masks` has (size-matched per layer). */
export function sizeMatchedRandomMask(masks: Masks, rng: Rng): Masks {
  const out: Masks = new Map();
  for (const [name, m] of masks) {
    let kept = 0;
    for (let i = 0; i < m.length; i++) kept += m[i]!;
    const r = new Uint8Array(m.length);
    const order = rng.permutation(m.length);
    for (let i = 0; i < kept; i++) r[order[i]!] = 1;
    out.set(name, r);
  }
  return out;
}

function moments(w: Float32Array): { mean: number; sd: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < w.length; i++) { s += w[i]!; s2 += w[i]! * w[i]!; }
  const mean = s / w.length;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / w.length - mean * mean)) };
}
