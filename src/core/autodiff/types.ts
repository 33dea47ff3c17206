// The contract between the autodiff driver and the per-op gradient rules.
import type { AttrInput } from '../onnx/makeModel';
import type { Dim, Node } from '../onnx/ir';

/** What a rule may use to emit backward nodes. All names are tensor names in the generated graph. */
export interface GradContext {
  /** Emits one node and returns its output names (fresh, unique). */
  emit(op: string, inputs: string[], attrs?: Record<string, AttrInput>, outputCount?: number): string[];
  /** Shorthand for a single-output node. */
  emit1(op: string, inputs: string[], attrs?: Record<string, AttrInput>): string;
  /** A constant of the graph's float type (float32, or float64 in gradient checks). */
  constant(values: number[], dims?: number[]): string;
  /** An int64 constant (shapes, axes, indices). */
  int64(values: number[], dims?: number[]): string;
  /** Static shape of a forward tensor when known (from shape inference); null when unknown. */
  shape(name: string): Dim[] | null;
  /** Rank of a forward tensor; throws a TrainerError naming the tensor when unknown. */
  rank(name: string): number;
  /** ONNX element type used for floats in this graph (1 = float32, 11 = float64). */
  readonly floatType: number;
  /** Default-domain opset of the generated graph. */
  readonly opset: number;
}

/**
 * A gradient rule: given the forward node and the gradient of the loss w.r.t. each of its outputs
 * (null where no gradient flows), return the gradient w.r.t. each input (null for non-differentiable
 * inputs such as shapes or indices). The driver reduces broadcast dimensions afterwards when
 * `broadcasts` is set, and sums gradients of tensors with several consumers.
 */
export interface GradientRule {
  (node: Node, dOutputs: (string | null)[], ctx: GradContext): (string | null)[];
}

export interface RuleEntry {
  rule: GradientRule;
  /** Inputs follow numpy broadcasting: the driver sums each input gradient back to that input's shape. */
  broadcasts?: boolean;
}
