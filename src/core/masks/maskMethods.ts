// Mask parameterisations: how a logit tensor s becomes a multiplicative gate on a weight tensor,
// the sparsity penalty that goes with it, and the binary mask kept at evaluation.
import type { GraphBuilder } from '../onnx/GraphBuilder';

export type TrainableMaskMethod = 'continuous-sparsification' | 'hard-concrete';
export type MaskMethod = TrainableMaskMethod | 'magnitude' | 'attribution';

/** Hard-concrete constants (Louizos et al. 2018): stretch interval and temperature. */
export const HARD_CONCRETE = { gamma: -0.1, zeta: 1.1, temperature: 2 / 3 } as const;

export interface GateNodes {
  /** The gate multiplied into the weight (same shape as the logits). */
  gate: string;
  /** Scalar sparsity penalty, before λ. */
  penalty: string;
}

/**
 * Continuous sparsification (Savarese et al. 2020): gate = sigmoid(β·s), penalty = Σ sigmoid(β·s).
 * `beta` is a scalar graph input so one graph serves the whole annealing schedule.
 */
export function continuousSparsificationGate(b: GraphBuilder, logits: string, beta: string): GateNodes {
  const gate = b.emit1('Sigmoid', [b.emit1('Mul', [logits, beta])]);
  return { gate, penalty: b.emit1('ReduceSum', [gate], { keepdims: 0 }) };
}

/**
 * Hard concrete (Louizos et al. 2018), with `noise` = log u − log(1 − u), u ~ U(0, 1), drawn by the
 * seeded host RNG: gate = clamp(sigmoid((noise + s)/τ)·(ζ − γ) + γ, 0, 1);
 * penalty = expected L0 = Σ sigmoid(s − τ·log(−γ/ζ)). The clamp is written with Relu so it is differentiable
 * by the existing rules: min(1, max(0, x)) = 1 − relu(1 − relu(x)).
 */
export function hardConcreteGate(b: GraphBuilder, logits: string, noise: string): GateNodes {
  const { gamma, zeta, temperature } = HARD_CONCRETE;
  const soft = b.emit1('Sigmoid', [b.emit1('Div', [b.emit1('Add', [noise, logits]), b.constant([temperature])])]);
  const stretched = b.emit1('Add', [b.emit1('Mul', [soft, b.constant([zeta - gamma])]), b.constant([gamma])]);
  const one = b.constant([1]);
  const gate = b.emit1('Sub', [one, b.emit1('Relu', [b.emit1('Sub', [one, b.emit1('Relu', [stretched])])])]);
  const shift = b.constant([temperature * Math.log(-gamma / zeta)]);
  const open = b.emit1('Sigmoid', [b.emit1('Sub', [logits, shift])]);
  return { gate, penalty: b.emit1('ReduceSum', [open], { keepdims: 0 }) };
}

/**
 * The binary mask of a trained parameterisation. Both methods keep a weight when its logit is positive:
 * for continuous sparsification that is 1[s > 0] (DESIGN.md §1); for hard concrete the deterministic
 * gate clamp(sigmoid(s)(ζ − γ) + γ, 0, 1) exceeds 1/2 exactly when s > 0.
 */
export function binaryMask(logits: Float32Array | Float64Array): Uint8Array {
  const out = new Uint8Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! > 0 ? 1 : 0;
  return out;
}
