// The float64 variant of a finished (forward + backward) graph, for gradient checks: float32 finite
// differences are useless (relative errors up to 0.37 measured here), so every float tensor becomes
// float64. onnxruntime's CPU build has no float64 kernel for a few ops:
// - Conv, ConvTranspose, AveragePool, GlobalAveragePool, InstanceNormalization are rewritten into
//   float64-capable ops by lowerFloatOnlyOps (exact reorderings of the same sums);
// - LeakyRelu becomes Where(x < 0, αx, x);
// - Erf and Gelu run as float32 islands (Cast in, Cast out), and the caller is told which, since they
//   bound the attainable precision.
// Run the result with graph optimisations disabled (see gradcheck): onnxruntime's constant folding
// loses tiny float64 constants.
import type { Model, Node } from '../onnx/ir';
import { attrFloat, DataType } from '../onnx/ir';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { makeNode } from '../onnx/makeModel';
import { FLOAT_ONLY_OPS, lowerFloatOnlyOps } from '../autodiff/lowerFloatOnlyOps';

/** Ops with no float64 kernel in onnxruntime-node 1.30's CPU build (measured) that stay float32 islands. */
export const FLOAT32_ONLY_OPS = new Set(['Erf', 'Gelu']);

export interface Float64Variant {
  model: Model;
  /** Node names that still compute in float32. */
  float32Islands: string[];
}

export async function toFloat64(source: Model): Promise<Float64Variant> {
  const graph = {
    ...source.graph,
    nodes: [] as Node[],
    inputs: source.graph.inputs.map((v) => ({ ...v, proto: undefined })),
    outputs: source.graph.outputs.map((v) => ({ ...v, proto: undefined })),
    valueInfo: [],
    initializers: new Map(source.graph.initializers),
    proto: undefined,
  };
  const b = new GraphBuilder(graph, 'f64', DataType.DOUBLE);
  for (const [k, t] of graph.initializers) {
    if (t.dataType === DataType.FLOAT) graph.initializers.set(k, { ...t, dataType: DataType.DOUBLE, data: Float64Array.from(t.data as Float32Array), proto: undefined, external: undefined });
  }
  for (const v of [...graph.inputs, ...graph.outputs]) if (v.elemType === DataType.FLOAT) v.elemType = DataType.DOUBLE;
  const islands: string[] = [];
  for (const original of source.graph.nodes) {
    const node: Node = { ...original, inputs: [...original.inputs], outputs: [...original.outputs], attributes: new Map(original.attributes), proto: undefined };
    widenAttributes(node);
    const standard = node.domain === '' || node.domain === 'ai.onnx';
    if (standard && node.opType === 'LeakyRelu') {
      const x = node.inputs[0]!;
      const negative = b.emit1('Less', [x, b.constant([0])]);
      const scaled = b.emit1('Mul', [x, b.constant([attrFloat(node, 'alpha', 0.01)])]);
      graph.nodes.push(makeNode({ op: 'Where', inputs: [negative, scaled, x], outputs: [node.outputs[0]!], name: node.name }, 0));
      continue;
    }
    if (standard && FLOAT32_ONLY_OPS.has(node.opType)) {
      islands.push(node.name);
      // Every input of these ops is a float tensor.
      node.inputs = node.inputs.map((i) => (i === '' ? i : b.emit1('Cast', [i], { to: DataType.FLOAT })));
      const wide = node.outputs;
      node.outputs = wide.map((o) => (o === '' ? o : `${o}/f32`));
      graph.nodes.push(node);
      wide.forEach((o, k) => { if (o !== '') graph.nodes.push(makeNode({ op: 'Cast', inputs: [node.outputs[k]!], outputs: [o], attrs: { to: DataType.DOUBLE }, name: `${node.name}/to_f64_${k}` }, 0)); });
      continue;
    }
    graph.nodes.push(node);
  }
  const wide: Model = { ...source, graph, proto: undefined };
  const lowered = graph.nodes.some((n) => FLOAT_ONLY_OPS.has(n.opType)) ? await lowerFloatOnlyOps(wide) : wide;
  return { model: lowered, float32Islands: islands };
}

function widenAttributes(n: Node): void {
  for (const [k, a] of n.attributes) {
    if (a.type === 'int' && (k === 'to' || k === 'dtype') && a.value === DataType.FLOAT) n.attributes.set(k, { type: 'int', value: DataType.DOUBLE });
    if (a.type === 'tensor' && a.value.dataType === DataType.FLOAT) {
      n.attributes.set(k, { type: 'tensor', value: { ...a.value, dataType: DataType.DOUBLE, data: Float64Array.from(a.value.data as Float32Array), proto: undefined } });
    }
    if (n.opType === 'Constant' && (k === 'value_float' || k === 'value_floats')) {
      const vals = a.type === 'float' ? [a.value] : a.type === 'floats' ? a.value : [];
      n.attributes.delete(k);
      n.attributes.set('value', { type: 'tensor', value: { name: '', dataType: DataType.DOUBLE, dims: k === 'value_float' ? [] : [vals.length], data: Float64Array.from(vals) } });
    }
  }
}
