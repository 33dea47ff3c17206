// The contract between the autodiff driver (differentiate.ts) and the per-op gradient rules.
//
// Notes for rule authors:
// - One file per op: src/core/autodiff/rules/<camelCaseOp>.ts exporting `const <camelCaseOp>: RuleEntry`
//   (an opset variant, where semantics changed, is exported beside it as `<op>13` etc.). Register it with
//   one line in registry.ts: key = op type, or `Op_N` for the variant used from opset N on; non-default
//   domains as `domain:Op`.
// - A rule returns exactly one entry per node.inputs entry (null for shape/index inputs or absent ''
//   optional inputs); the driver throws if the count differs. Returning gradients nobody needs is
//   fine: the driver drops backward nodes that no requested gradient uses.
// - `ctx.constant(values)` with one value and no dims makes a SCALAR (rank 0) constant, so it broadcasts
//   without changing ranks; `ctx.int64(values)` without dims is always 1-D (axes, shapes).
// - `ctx.constantValue(name)` (added) reads a forward initializer or Constant-node output, e.g. axes.
// - Shared pieces (reduceSum/unsqueeze/squeeze across opsets, sumToShape, transposeLast2, …) are in
//   rules/helpers.ts; `sumToShape` is what the driver uses for `broadcasts` rules.
// - Float attributes are float32 in an ONNX file (alpha, epsilon, …): turn them into constants with
//   Math.fround(attrFloat(...)) so float64 gradient checks see the value the forward op used.
// - Errors: throw AutodiffError (errors.ts) naming the node, e.g. for an unknown rank.
import type { AttrInput } from '../onnx/makeModel';
import type { Dim, Node } from '../onnx/ir';

/** What a rule may use to emit backward nodes. All names are tensor names in the generated graph. */
export interface GradContext {
  /** Emits one node (default domain) and returns its output names (fresh, unique). */
  emit(op: string, inputs: string[], attrs?: Record<string, AttrInput>, outputCount?: number): string[];
  /** Shorthand for a single-output node. */
  emit1(op: string, inputs: string[], attrs?: Record<string, AttrInput>): string;
  /** A constant of the graph's float type; one value without dims is a scalar (rank 0), else 1-D. */
  constant(values: number[], dims?: number[]): string;
  /** An int64 constant (shapes, axes, indices); 1-D unless dims are given. */
  int64(values: number[], dims?: number[]): string;
  /** Static shape of a forward tensor when known (from shape inference); null when unknown. */
  shape(name: string): Dim[] | null;
  /** Rank of a forward tensor; throws an AutodiffError naming the tensor when unknown. */
  rank(name: string): number;
  /** Values of a forward tensor that is an initializer or a Constant node's output; null otherwise. */
  constantValue(name: string): number[] | null;
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
  /**
   * Inputs follow numpy broadcasting to the shape of output 0: the driver sums each returned input
   * gradient (which must have output 0's shape) back to that input's shape.
   */
  broadcasts?: boolean;
}
