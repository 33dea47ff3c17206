// The float64 variant of a finished (forward + backward) graph, for gradient checks: float32 finite
// differences are useless (relative errors up to 0.37 measured here), so every float tensor becomes
// float64. onnxruntime's CPU build has no float64 kernel for a few ops:
// - Conv, ConvTranspose, AveragePool, GlobalAveragePool, InstanceNormalization are rewritten into
//   float64-capable ops by lowerFloatOnlyOps (exact reorderings of the same sums);
// - LeakyRelu becomes Where(x < 0, αx, x);
// - Erf becomes its Maclaurin series (42 terms) for |x| < 2 and 1 − erfc(|x|) by a 50-term continued
//   fraction beyond (both within 3e-15 of the true value, checked against Math-based references in
//   the tests); Gelu becomes its definition through that Erf (or Tanh for approximate='tanh').
// Run the result with graph optimisations disabled (see gradcheck): onnxruntime's constant folding
// loses tiny float64 constants.
import type { Model, Node } from '../onnx/ir';
import { attrFloat, attrString, DataType } from '../onnx/ir';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { makeNode } from '../onnx/makeModel';
import { FLOAT_ONLY_OPS, lowerFloatOnlyOps } from '../autodiff/lowerFloatOnlyOps';

export async function toFloat64(source: Model): Promise<Model> {
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
    if (t.dataType === DataType.FLOAT) {
      graph.initializers.set(k, {
        ...t, dataType: DataType.DOUBLE, data: Float64Array.from(t.data as Float32Array),
        proto: undefined, external: undefined,
      });
    }
  }
  for (const v of [...graph.inputs, ...graph.outputs]) if (v.elemType === DataType.FLOAT) v.elemType = DataType.DOUBLE;
  for (const original of source.graph.nodes) {
    const node: Node = {
      ...original, inputs: [...original.inputs], outputs: [...original.outputs],
      attributes: new Map(original.attributes), proto: undefined,
    };
    widenAttributes(node);
    const standard = node.domain === '' || node.domain === 'ai.onnx';
    if (standard && node.opType === 'LeakyRelu') {
      const x = node.inputs[0]!;
      const negative = b.emit1('Less', [x, b.constant([0])]);
      const scaled = b.emit1('Mul', [x, b.constant([attrFloat(node, 'alpha', 0.01)])]);
      graph.nodes.push(makeNode(
        { op: 'Where', inputs: [negative, scaled, x], outputs: [node.outputs[0]!], name: node.name },
        0,
      ));
      continue;
    }
    if (standard && node.opType === 'Erf') {
      emitErf(b, node.inputs[0]!, node.outputs[0]!, node.name);
      continue;
    }
    if (standard && node.opType === 'Gelu') {
      const x = node.inputs[0]!;
      const inner = attrString(node, 'approximate', 'none') === 'tanh'
        ? b.emit1('Tanh', [b.emit1('Mul', [
          b.emit1('Add', [x, b.emit1('Mul', [b.emit1('Mul', [b.emit1('Mul', [x, x]), x]), b.constant([0.044715])])]),
          b.constant([Math.sqrt(2 / Math.PI)]),
        ])])
        : erfOf(b, b.emit1('Mul', [x, b.constant([Math.SQRT1_2])]));
      const half = b.emit1('Mul', [x, b.constant([0.5])]);
      graph.nodes.push(makeNode({
        op: 'Mul', inputs: [half, b.emit1('Add', [inner, b.constant([1])])],
        outputs: [node.outputs[0]!], name: node.name,
      }, 0));
      continue;
    }
    graph.nodes.push(node);
  }
  const wide: Model = { ...source, graph, proto: undefined };
  return graph.nodes.some((n) => FLOAT_ONLY_OPS.has(n.opType)) ? lowerFloatOnlyOps(wide) : wide;
}

function widenAttributes(n: Node): void {
  for (const [k, a] of n.attributes) {
    if (a.type === 'int' && (k === 'to' || k === 'dtype') && a.value === DataType.FLOAT) {
      n.attributes.set(k, { type: 'int', value: DataType.DOUBLE });
    }
    if (a.type === 'tensor' && a.value.dataType === DataType.FLOAT) {
      n.attributes.set(k, {
        type: 'tensor',
        value: {
          ...a.value, dataType: DataType.DOUBLE,
          data: Float64Array.from(a.value.data as Float32Array), proto: undefined,
        },
      });
    }
    if (n.opType === 'Constant' && (k === 'value_float' || k === 'value_floats')) {
      const vals = a.type === 'float' ? [a.value] : a.type === 'floats' ? a.value : [];
      n.attributes.delete(k);
      n.attributes.set('value', {
        type: 'tensor',
        value: {
          name: '', dataType: DataType.DOUBLE, dims: k === 'value_float' ? [] : [vals.length],
          data: Float64Array.from(vals),
        },
      });
    }
  }
}

const ERF_SPLIT = 2;
const ERF_SERIES_TERMS = 42;
const ERFC_FRACTION_TERMS = 50;

/** erf(x) in float64 ops, written to `y` (see the file comment for the method and its accuracy). */
function emitErf(b: GraphBuilder, x: string, y: string, name: string): void {
  const [small, series, large] = erfParts(b, x);
  b.graph.nodes.push(makeNode({ op: 'Where', inputs: [small, series, large], outputs: [y], name }, 0));
}

function erfOf(b: GraphBuilder, x: string): string {
  const [small, series, large] = erfParts(b, x);
  return b.emit1('Where', [small, series, large]);
}

/** [|x| < 2, series value at clamp(x), continued-fraction value at max(|x|, 2) with x's sign]. */
function erfParts(b: GraphBuilder, x: string): [string, string, string] {
  const abs = b.emit1('Abs', [x]);
  const small = b.emit1('Less', [abs, b.constant([ERF_SPLIT])]);
  // Maclaurin: erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)), on x clamped to [−2, 2].
  const xc = b.emit1('Max', [b.emit1('Min', [x, b.constant([ERF_SPLIT])]), b.constant([-ERF_SPLIT])]);
  const minusX2 = b.emit1('Neg', [b.emit1('Mul', [xc, xc])]);
  let term = xc;
  let sum = xc;
  for (let n = 1; n <= ERF_SERIES_TERMS; n++) {
    term = b.emit1('Mul', [b.emit1('Mul', [term, minusX2]), b.constant([1 / n])]);
    sum = b.emit1('Add', [sum, b.emit1('Mul', [term, b.constant([1 / (2 * n + 1)])])]);
  }
  const series = b.emit1('Mul', [sum, b.constant([2 / Math.sqrt(Math.PI)])]);
  // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), a = max(|x|, 2).
  const a = b.emit1('Max', [abs, b.constant([ERF_SPLIT])]);
  let f = a;
  for (let k = ERFC_FRACTION_TERMS; k >= 1; k--) f = b.emit1('Add', [a, b.emit1('Div', [b.constant([k / 2]), f])]);
  const erfc = b.emit1('Div', [
    b.emit1('Exp', [b.emit1('Neg', [b.emit1('Mul', [a, a])])]),
    b.emit1('Mul', [f, b.constant([Math.sqrt(Math.PI)])]),
  ]);
  const magnitude = b.emit1('Sub', [b.constant([1]), erfc]);
  const large = b.emit1('Where', [b.emit1('Less', [x, b.constant([0])]), b.emit1('Neg', [magnitude]), magnitude]);
  return [small, series, large];
}
