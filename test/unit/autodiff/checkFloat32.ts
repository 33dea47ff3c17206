// The float32 gradient graph (what trains, run with onnxruntime's native float32 kernels) against the
// float64 one of the same case (run as checkGradient runs it: float64 substitutes and lowerings), on
// identical float32-exact inputs. The error is max |g32 − g64| / max |g64| per differentiated input
// (the ∞-norm relative error; elementwise ratios would flag harmless cancellation). Cases are
// GradientCase values as for checkGradient, so each rule test can run both checks on one case.
import assert from 'node:assert/strict';
import { differentiate } from '../../../src/core/autodiff/differentiate';
import { lowerFloatOnlyOps } from '../../../src/core/autodiff/lowerFloatOnlyOps';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { DataType, elementCount, type Model, type Tensor } from '../../../src/core/onnx/ir';
import { makeModel, type NodeSpec, type ValueSpec } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { createSession, ort } from '../../../src/core/runtime/session';
import { Rng } from '../../../src/core/util/random';
import { substituteFloat64, type GradientCase, type InputSpec } from './checkGradient';

/** Float32 rounding over the few ops of one rule: well above it, far below a wrong path's error. */
export const FLOAT32_TOLERANCE = 1e-5;

/** Asserts the float32 gradient graph agrees with the float64 one within FLOAT32_TOLERANCE; returns the error. */
export async function checkFloat32Gradient(c: GradientCase): Promise<number> {
  const worst = await measureFloat32Gradient(c);
  if (process.env['GRADCHECK_LOG']) {
    console.log(`float32 ${c.op ?? (c.nodes ?? []).map((n) => n.op).join('→')}: ${worst.toExponential(2)}`);
  }
  assert.ok(worst <= FLOAT32_TOLERANCE, `float32 gradient differs from float64 by ${worst.toExponential(2)}`);
  return worst;
}

export async function measureFloat32Gradient(c: GradientCase): Promise<number> {
  const random = new Rng((c.seed ?? 1234) + 1);
  const opset = c.opset ?? 18;
  const specs: [string, InputSpec][] = (Array.isArray(c.inputs) ? c.inputs.map((s, i) => [`x${i}`, s] as const)
    : Object.entries(c.inputs)).filter((e): e is [string, InputSpec] => e[1] !== null);
  const outs = Array.from({ length: c.outputCount ?? 1 }, (_, i) => `y${i}`);
  const inputNames = Array.isArray(c.inputs) ? c.inputs.map((s, i) => (s ? `x${i}` : '')) : [];
  const nodes: NodeSpec[] = c.nodes
    ?? [{ op: c.op!, inputs: inputNames, outputs: outs, attrs: c.attrs, name: `${c.op}_node` }];
  const scored = c.outputs ?? (c.nodes ? [nodes.at(-1)!.outputs[0]!] : outs);

  const values = new Map<string, number[]>();
  for (const [name, s] of specs) {
    const [lo, hi] = s.range ?? [-2, 2];
    const draw = () => Math.fround(lo + (hi - lo) * random.next());
    const v = s.values ?? Array.from({ length: elementCount(s.shape) }, draw);
    if (!s.values && lo <= 0 && hi >= 0 && v.length >= 3) v[0] = 0;
    values.set(name, v);
  }
  const wrt = specs.filter(([, s]) => (s.type ?? 'double') === 'double' && (s.wrt ?? true)).map(([n]) => n);
  const shapeOf = (name: string) => specs.find(([n]) => n === name)![1].shape;

  /** The case's nodes in `floatType`, scored by Σₖ Σ(outputₖ ⊙ Wₖ) when the outputs' shapes are given. */
  const build = (floatType: number, outShapes?: number[][]): Model => {
    const inputs: ValueSpec[] = wrt.map((name) => ({ name, elemType: floatType, shape: shapeOf(name) }));
    const initializers: Tensor[] = specs.filter(([n]) => !wrt.includes(n)).map(([n, s]) => {
      const type = s.type === 'int64' ? DataType.INT64 : s.type === 'bool' ? DataType.BOOL : floatType;
      return makeTensor(n, type, s.shape, values.get(n)!);
    });
    if (!outShapes) {
      const outputs = scored.map((name) => ({ name, elemType: floatType }));
      return makeModel({ opset, inputs, outputs, nodes, initializers });
    }
    const lossNodes: NodeSpec[] = [];
    outShapes.forEach((dims, k) => {
      const w = Array.from({ length: elementCount(dims) }, (_, i) => Math.fround(Math.sin(7 * i + k + 1)));
      initializers.push(makeTensor(`w${k}`, floatType, dims, w));
      lossNodes.push({ op: 'Mul', inputs: [scored[k]!, `w${k}`], outputs: [`m${k}`] });
      lossNodes.push({ op: 'ReduceSum', inputs: [`m${k}`], outputs: [`s${k}`], attrs: { keepdims: 0 } });
    });
    lossNodes.push({ op: 'Sum', inputs: outShapes.map((_, k) => `s${k}`), outputs: ['loss'] });
    const outputs = [{ name: 'loss', elemType: floatType, shape: [] }];
    return makeModel({ opset, inputs, outputs, nodes: [...nodes, ...lossNodes], initializers });
  };

  const plainShapes = await inferShapes(build(DataType.FLOAT));
  const outShapes = scored.map((o) => plainShapes.get(o)!.map(Number));
  const shapes = await inferShapes(build(DataType.FLOAT, outShapes));

  const gradients = async (floatType: number): Promise<Map<string, Float32Array | Float64Array>> => {
    const forward = build(floatType, outShapes);
    const { graph, gradients: names } = differentiate(forward.graph, { loss: 'loss', wrt, shapes, floatType, opset });
    const outputs = wrt.map((w) => ({ name: names.get(w)!, elemType: floatType, shape: null }));
    let model: Model = { ...forward, graph: { ...graph, outputs } };
    if (floatType === DataType.DOUBLE) model = await lowerFloatOnlyOps(substituteFloat64(model));
    const session = await createSession(model, { threads: 1 });
    const wide = floatType === DataType.DOUBLE;
    const feeds = Object.fromEntries(wrt.map((w) => {
      const data = wide ? Float64Array.from(values.get(w)!) : Float32Array.from(values.get(w)!);
      return [w, new ort.Tensor(wide ? 'float64' : 'float32', data, shapeOf(w))];
    }));
    const result = await session.run(feeds);
    return new Map(wrt.map((w) => [w, result[names.get(w)!]!.data as Float32Array | Float64Array]));
  };
  const [g32, g64] = [await gradients(DataType.FLOAT), await gradients(DataType.DOUBLE)];
  let worst = 0;
  for (const w of wrt) {
    const [a, b] = [g32.get(w)!, g64.get(w)!];
    assert.equal(a.length, b.length, `gradient of '${w}' has ${a.length} elements in float32, ${b.length} in float64`);
    let scale = 0, diff = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]!));
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    }
    worst = Math.max(worst, diff === 0 ? 0 : diff / Math.max(scale, 1e-30));
  }
  return worst;
}
