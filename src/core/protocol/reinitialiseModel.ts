// The random-init control's base model: the same graph with every parameter redrawn, so that masks
// trained on it show what the protocol finds in a network that learned nothing.
import type { Model, Node, Tensor } from '../onnx/ir';
import { DataType, attrInt, attrInts } from '../onnx/ir';
import { Rng } from '../util/random';

/** How a parameter is redrawn, from the op that reads it. */
export type ParameterRole =
  | { kind: 'fan-in'; fanIn: number }
  | { kind: 'ones' }
  | { kind: 'zeros' }
  | { kind: 'embedding' };

const NORMS = new Set([
  'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'SimplifiedLayerNormalization',
]);
/** Ops that pass a tensor on unchanged (up to a permutation of its axes for Transpose). */
const PASS_THROUGH = new Set(['Identity', 'Cast', 'Transpose']);

/**
 * The role of one consumer input. `axes[i]` is the tensor's own axis seen as axis i by `node`
 * (Transpose in between permutes them).
 */
function roleAt(node: Node, input: number, axes: number[], dims: number[]): ParameterRole | null {
  const rank = axes.length;
  const along = (seen: number[]) => ({ kind: 'fan-in' as const, fanIn: seen.reduce((a, i) => a * dims[axes[i]!]!, 1) });
  const allBut0 = Array.from({ length: rank - 1 }, (_, i) => i + 1);
  switch (node.opType) {
    // MatMul B is [..., in, out]; a weight on the left, [..., out, in], reads its last axis.
    case 'MatMul': return along([input === 1 ? Math.max(0, rank - 2) : rank - 1]);
    case 'Gemm':
      if (input === 2) return { kind: 'zeros' };
      if (input === 1) return along([attrInt(node, 'transB', 0) ? 1 : 0]);
      return along([attrInt(node, 'transA', 0) ? 0 : 1]);
    // Conv W is [out, in/group, k…]; ConvTranspose W is [in, out/group, k…], whose fan-in PyTorch also
    // takes as dims[1]·Πk.
    case 'Conv': case 'ConvTranspose': return input === 2 ? { kind: 'zeros' } : along(allBut0);
    case 'Gather': return input === 0 ? { kind: 'embedding' } : null;
    case 'BatchNormalization': return input === 1 || input === 4 ? { kind: 'ones' } : { kind: 'zeros' };
    case 'Add': return { kind: 'zeros' };
    case 'Mul': return rank <= 1 || dims.filter((d) => d > 1).length <= 1 ? { kind: 'ones' } : null;
    default: return NORMS.has(node.opType) ? (input === 1 ? { kind: 'ones' } : { kind: 'zeros' }) : null;
  }
}

/**
 * Role of every float initializer with at least two finite elements, found from the first op that reads it
 * (through Identity, Cast and Transpose). Initializers no rule covers are graph constants and stay as they
 * are (a causal mask, a scale): they are left out of the map.
 */
export function parameterRoles(model: Model): Map<string, ParameterRole> {
  const consumers = new Map<string, { node: Node; input: number }[]>();
  for (const node of model.graph.nodes) {
    node.inputs.forEach((name, input) => {
      if (name) (consumers.get(name) ?? consumers.set(name, []).get(name)!).push({ node, input });
    });
  }
  const roleOf = (value: string, axes: number[], dims: number[], depth: number): ParameterRole | null => {
    for (const { node, input } of consumers.get(value) ?? []) {
      if (PASS_THROUGH.has(node.opType) && depth < 8) {
        const identity = axes.map((_, i) => i);
        const perm = node.opType === 'Transpose' ? attrInts(node, 'perm') ?? identity.reverse() : identity;
        const role = roleOf(node.outputs[0]!, perm.map((p) => axes[p]!), dims, depth + 1);
        if (role) return role;
        continue;
      }
      const role = roleAt(node, input, axes, dims);
      if (role) return role;
    }
    return null;
  };
  const roles = new Map<string, ParameterRole>();
  for (const t of model.graph.initializers.values()) {
    if (t.dataType !== DataType.FLOAT) continue;
    if (t.data.length < 2 || !(t.data as Float32Array).every(Number.isFinite)) continue; // a scalar or a mask
    const role = roleOf(t.name, t.dims.map((_, i) => i), t.dims, 0);
    if (role) roles.set(t.name, role);
  }
  return roles;
}

/**
 * A copy of the model with every parameter (parameterRoles) redrawn, seeded: fan-in weights from
 * N(0, 2/fan_in) (He, PyTorch's kaiming_normal_ for ReLU), normalisation scales and BatchNormalization
 * variances 1, biases (Gemm C, Conv B, a tensor added by Add), shifts and running means 0 (PyTorch draws
 * Linear/Conv biases from U(±1/√fan_in); 0 keeps the control free of trained values either way),
 * embeddings N(0, 1) (nn.Embedding).
 */
export function reinitialiseModel(model: Model, seed: number): Model {
  const rng = Rng.derive(seed, 'random-init');
  const initializers = new Map(model.graph.initializers);
  for (const [name, role] of parameterRoles(model)) {
    const t = initializers.get(name)!;
    const draw = (): number => {
      switch (role.kind) {
        case 'fan-in': return rng.normal() * Math.sqrt(2 / Math.max(1, role.fanIn));
        case 'embedding': return rng.normal();
        case 'ones': return 1;
        case 'zeros': return 0;
      }
    };
    const data = Float32Array.from({ length: t.data.length }, draw);
    initializers.set(name, { ...t, data, proto: undefined, external: undefined } satisfies Tensor);
  }
  return { ...model, graph: { ...model.graph, initializers }, proto: undefined };
}
