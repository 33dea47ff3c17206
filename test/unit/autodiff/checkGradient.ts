// Gradient check for autodiff rules: builds a small float64 model, differentiates it with the engine,
// runs the emitted gradient graph in onnxruntime (float64) and compares it with finite differences of
// the same forward graph (float64), element by element.
//
// Method (what a passing check means):
// - Inputs are seeded uniform values in `range` (default [-2, 2]); unless the range excludes 0 or the
//   tensor has under 3 elements, the first (and from 4 elements the middle) element is exactly 0. The loss is Σₖ
//   Σ(outputₖ ⊙ Wₖ) with seeded random weights Wₖ in [-1, 1], so every output element is weighted differently.
// - Finite differences: fourth-order central stencil f'(x) ≈ (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h
//   with h = 1e-3 (truncation ~h⁴, rounding ~1e-13 here). Coordinates within 2h + 1e-9 of a declared
//   kink (`kinks`, e.g. 0 for Relu) are skipped, since no difference quotient straddling the kink
//   approximates the one-sided derivative the rule picks; they are counted in `skipped`.
// - Error per element: |analytic − numeric| / max(|analytic|, |numeric|, 1e-3·scale), scale = largest
//   |numeric| in that tensor (so exact zeros are compared against the tensor's magnitude). The check
//   fails when the worst error exceeds 1e-5, or when a gradient's dims differ from its input's dims.
// - Kernel gaps: onnxruntime 1.30's CPU build has no float64 kernel for LeakyRelu, Erf or Gelu. Such
//   nodes (forward and backward alike) are rewritten into float64 decompositions of standard ops
//   (`float64Substitutes` below): LeakyRelu → Where/Greater/Mul; Erf → its Maclaurin series to 45
//   terms (error < 1e-13 for |x| ≤ 3, checked in gradcheck.test.ts; keep Erf inputs within that range); Gelu → its
//   definition through Erf or Tanh. The engine's emitted graph is otherwise unchanged. Both the analytic
//   run and the finite differences use the same rewritten graph, and gradcheck.test.ts checks the
//   decompositions against reference values and onnxruntime's own float32 kernels.
import assert from 'node:assert/strict';
import { differentiate } from '../../../src/core/autodiff/differentiate';
import { lowerFloatOnlyOps } from '../../../src/core/autodiff/lowerFloatOnlyOps';
import type { RuleEntry } from '../../../src/core/autodiff/types';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { attrFloat, attrString, DataType, elementCount, type Dim, type Graph, type Model,
  type Node } from '../../../src/core/onnx/ir';
import { makeModel, makeNode, type AttrInput, type NodeSpec } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { createSession, ort } from '../../../src/core/runtime/session';
import { Rng } from '../../../src/core/util/random';

export interface InputSpec {
  shape: number[];
  /** 'double' inputs are differentiated unless `wrt: false` or `values` are given with `wrt` unset. */
  type?: 'double' | 'int64' | 'bool';
  values?: number[];
  range?: [number, number];
  wrt?: boolean;
  /** Points where the function has a kink in this input; finite differences skip coordinates near them. */
  kinks?: number[];
}

export interface GradientCase {
  /** One-node form: the op and its attributes; inputs are named x0, x1, … (null = absent optional input). */
  op?: string;
  attrs?: Record<string, AttrInput>;
  inputs: (InputSpec | null)[] | Record<string, InputSpec>;
  /** Chain form: nodes over the named inputs; `outputs` names the tensors scored by the loss. */
  nodes?: NodeSpec[];
  /** One-node form: how many outputs the node has (all are scored unless `scored` says otherwise). */
  outputCount?: number;
  outputs?: string[];
  opset?: number;
  seed?: number;
  /** Forget every static dim (ranks stay): exercises the rules' run-time shape paths. */
  unknownDims?: boolean;
  /** Replace or add gradient rules (to show that the check catches a wrong rule). */
  rules?: Record<string, RuleEntry>;
}

export interface GradientReport {
  worst: number;
  perInput: Record<string, number>;
  checked: number;
  skipped: number;
  /** Number of backward nodes emitted. */
  backwardNodes: number;
}

export const TOLERANCE = 1e-5;
const H = 1e-3;

/** Runs the check and asserts the worst relative error is ≤ 1e-5 (set GRADCHECK_LOG=1 to print it). */
export async function checkGradient(c: GradientCase): Promise<void> {
  const report = await measureGradient(c);
  if (process.env['GRADCHECK_LOG']) {
    const label = c.op ?? (c.nodes ?? []).map((n) => n.op).join('→');
    console.log(`gradcheck ${label}: worst ${report.worst.toExponential(2)} over ${report.checked} coordinates ` +
      `(${report.skipped} skipped near kinks)`);
  }
  assert.ok(report.worst <= TOLERANCE,
    `worst relative error ${report.worst.toExponential(2)} > ${TOLERANCE} (${JSON.stringify(report.perInput)})`);
}

/** Runs the check without asserting the tolerance (dims are still asserted). */
export async function measureGradient(c: GradientCase): Promise<GradientReport> {
  const random = new Rng(c.seed ?? 1234);
  const rand = () => random.next();
  const opset = c.opset ?? 18;
  const specs: [string, InputSpec | null][] = Array.isArray(c.inputs) ? c.inputs.map((s, i) => [`x${i}`, s])
    : Object.entries(c.inputs);

  // Forward nodes and scored outputs.
  let nodes: NodeSpec[];
  let scored: string[];
  if (c.nodes) {
    nodes = c.nodes;
    scored = c.outputs ?? [nodes.at(-1)!.outputs[0]!];
  } else {
    const outs = Array.from({ length: c.outputCount ?? 1 }, (_, i) => `y${i}`);
    const inputs = specs.map(([n, s]) => (s ? n : ''));
    nodes = [{ op: c.op!, inputs, outputs: outs, attrs: c.attrs, name: `${c.op}_node` }];
    scored = c.outputs ?? outs;
  }

  // Values: differentiated inputs are graph inputs; everything else is an initializer.
  const values = new Map<string, Float64Array>();
  const wrt: string[] = [];
  const initializers = [];
  const graphInputs = [];
  for (const [name, s] of specs) {
    if (!s) continue;
    const type = s.type ?? 'double';
    const n = elementCount(s.shape);
    const v = s.values ? Float64Array.from(s.values) : seeded(rand, n, s.range ?? [-2, 2]);
    assert.equal(v.length, n, `input '${name}' has ${v.length} values for shape [${s.shape}]`);
    const isWrt = type === 'double' && (s.wrt ?? true);
    if (isWrt) {
      wrt.push(name);
      values.set(name, v);
      graphInputs.push({ name, elemType: DataType.DOUBLE, shape: s.shape });
    } else {
      const dt = type === 'double' ? DataType.DOUBLE : type === 'int64' ? DataType.INT64 : DataType.BOOL;
      initializers.push(makeTensor(name, dt, s.shape, Array.from(v)));
    }
  }

  // Shapes of the scored outputs, then the loss Σ Σ(out ⊙ W).
  const plain = makeModel({ opset, inputs: graphInputs,
    outputs: scored.map((name) => ({ name, elemType: DataType.DOUBLE })), nodes, initializers });
  const plainShapes = await inferShapes(await runnable(plain));
  const lossNodes: NodeSpec[] = [];
  const terms: string[] = [];
  scored.forEach((o, k) => {
    const dims = plainShapes.get(o)!.map(Number);
    initializers.push(makeTensor(`w${k}`, DataType.DOUBLE, dims, seeded(rand, elementCount(dims), [-1, 1])));
    lossNodes.push({ op: 'Mul', inputs: [o, `w${k}`], outputs: [`m${k}`] });
    lossNodes.push({ op: 'ReduceSum', inputs: [`m${k}`], outputs: [`s${k}`], attrs: { keepdims: 0 } });
    terms.push(`s${k}`);
  });
  lossNodes.push({ op: 'Sum', inputs: terms, outputs: ['loss'] });
  const forward = makeModel({ opset, inputs: graphInputs,
    outputs: [{ name: 'loss', elemType: DataType.DOUBLE, shape: [] }], nodes: [...nodes, ...lossNodes], initializers });

  let shapes = await inferShapes(await runnable(forward));
  if (c.unknownDims) shapes = new Map([...shapes].map(([k, s]) => [k, s.map((): Dim => null)]));
  const { graph, gradients } = differentiate(forward.graph,
    { loss: 'loss', wrt, shapes, floatType: DataType.DOUBLE, opset, rules: c.rules });
  const gradModel: Model = {
    ...forward,
    graph: { ...graph, outputs: [...graph.outputs,
      ...wrt.map((w) => ({ name: gradients.get(w)!, elemType: DataType.DOUBLE, shape: null }))] },
  };

  const feeds = (over?: [string, Float64Array]) => Object.fromEntries(wrt.map((w) => {
    const v = over && over[0] === w ? over[1] : values.get(w)!;
    return [w, new ort.Tensor('float64', v, specs.find(([n]) => n === w)![1]!.shape)];
  }));
  const gradSession = await createSession(await runnable(gradModel), { threads: 1 });
  const analytic = await gradSession.run(feeds());
  const fwdSession = await createSession(await runnable(forward), { threads: 1 });
  const lossAt = async (w: string, v: Float64Array) => (await fwdSession.run(feeds([w, v])))['loss']!.data[0] as number;

  const perInput: Record<string, number> = {};
  let checked = 0, skipped = 0;
  for (const w of wrt) {
    const spec = specs.find(([n]) => n === w)![1]!;
    const g = analytic[gradients.get(w)!]!;
    assert.deepEqual(g.dims.map(Number), spec.shape,
      `gradient of '${w}' has dims [${g.dims}], the input has [${spec.shape}]`);
    const a = g.data as Float64Array;
    const x = values.get(w)!;
    const numeric = new Float64Array(x.length).fill(NaN);
    for (let i = 0; i < x.length; i++) {
      if ((spec.kinks ?? []).some((k) => Math.abs(x[i]! - k) <= 2 * H + 1e-9)) { skipped++; continue; }
      const at = async (d: number) => { const y = Float64Array.from(x); y[i] = x[i]! + d; return lossAt(w, y); };
      numeric[i] = (-(await at(2 * H)) + 8 * (await at(H)) - 8 * (await at(-H)) + (await at(-2 * H))) / (12 * H);
      checked++;
    }
    let scale = 0;
    numeric.forEach((n) => { if (!Number.isNaN(n)) scale = Math.max(scale, Math.abs(n)); });
    let worst = 0;
    numeric.forEach((n, i) => {
      if (Number.isNaN(n)) return;
      const d = Math.abs(a[i]! - n);
      const err = d === 0 ? 0 : d / Math.max(Math.abs(a[i]!), Math.abs(n), 1e-3 * scale);
      worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
    });
    perInput[w] = worst;
  }
  return {
    worst: Math.max(0, ...Object.values(perInput)),
    perInput,
    checked,
    skipped,
    backwardNodes: graph.nodes.length - forward.graph.nodes.length,
  };
}

/**
 * Seeded uniform values in [lo, hi]; when 0 is in range, the first and (from 4 elements) the middle
 * element are 0. Tensors of fewer than 3 elements get no zeros: a zero scalar would zero whole products.
 */
function seeded(rand: () => number, n: number, [lo, hi]: [number, number]): Float64Array {
  const v = Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());
  if (lo <= 0 && hi >= 0 && n >= 3) { v[0] = 0; if (n >= 4) v[Math.floor(n / 2)] = 0; }
  return v;
}


// ---- float64 decompositions for ops onnxruntime's CPU build only runs in float32 ----

type Subst = (node: Node, fresh: (hint: string) => string, add: (op: string, inputs: string[], outputs: string[],
  attrs?: Record<string, AttrInput>) => void, constant: (v: number) => string) => void;

const ERF_TERMS = 45;

/**
 * erf(x) = 2/√π · x · Σₙ (−1)ⁿ x²ⁿ / (n!(2n+1)), by Horner's rule in u = x²/9 with coefficients scaled
 * by 9ⁿ. (Unscaled coefficients fall below 1e-45 from n = 38 on, and onnxruntime's basic graph
 * optimisations then drop those float64 terms: erf(3) came out 1.3e-10 off.)
 */
function erfSeries(x: string, y: string, fresh: (h: string) => string, add: Parameters<Subst>[2],
  constant: (v: number) => string): void {
  const x2 = fresh('x2'), t = fresh('t');
  add('Mul', [x, x], [x2]);
  add('Mul', [x2, constant(1 / 9)], [t]);
  const coef = (n: number) => {
    let f = 1;
    for (let k = 1; k <= n; k++) f *= 9 / k;
    return ((n % 2 ? -1 : 1) * f) / (2 * n + 1);
  };
  let acc = constant(coef(ERF_TERMS));
  for (let n = ERF_TERMS - 1; n >= 0; n--) {
    const m = fresh('m'), s = fresh('s');
    add('Mul', [acc, t], [m]);
    add('Add', [m, constant(coef(n))], [s]);
    acc = s;
  }
  const xs = fresh('xs');
  add('Mul', [x, acc], [xs]);
  add('Mul', [xs, constant(2 / Math.sqrt(Math.PI))], [y]);
}

/** Rewrites of nodes that have no float64 kernel in onnxruntime's CPU build (see the header). */
export const float64Substitutes: Record<string, Subst> = {
  LeakyRelu: (node, fresh, add, constant) => {
    const [x, y] = [node.inputs[0]!, node.outputs[0]!];
    const pos = fresh('pos'), scaled = fresh('scaled');
    add('Greater', [x, constant(0)], [pos]);
    add('Mul', [x, constant(Math.fround(attrFloat(node, 'alpha', 0.01)))], [scaled]);
    add('Where', [pos, x, scaled], [y]);
  },
  Erf: (node, fresh, add, constant) => erfSeries(node.inputs[0]!, node.outputs[0]!, fresh, add, constant),
  Gelu: (node, fresh, add, constant) => {
    const [x, y] = [node.inputs[0]!, node.outputs[0]!];
    const f = fresh('f'), onePlus = fresh('onePlus'), half = fresh('half');
    if (attrString(node, 'approximate', 'none') === 'tanh') {
      const x3 = fresh('x3'), x2 = fresh('x2'), c = fresh('c'), u = fresh('u'), k = fresh('k');
      add('Mul', [x, x], [x2]);
      add('Mul', [x2, x], [x3]);
      add('Mul', [x3, constant(0.044715)], [c]);
      add('Add', [x, c], [u]);
      add('Mul', [u, constant(Math.sqrt(2 / Math.PI))], [k]);
      add('Tanh', [k], [f]);
    } else {
      const inner = fresh('inner');
      add('Mul', [x, constant(Math.SQRT1_2)], [inner]);
      erfSeries(inner, f, fresh, add, constant);
    }
    add('Add', [f, constant(1)], [onePlus]);
    add('Mul', [x, constant(0.5)], [half]);
    add('Mul', [half, onePlus], [y]);
  },
};

/**
 * The float64 model onnxruntime can run: `float64Substitutes` applied, then Conv, ConvTranspose,
 * AveragePool, GlobalAveragePool and InstanceNormalization (no float64 kernels either) lowered by the
 * engine's `lowerFloatOnlyOps` to Gather/Einsum/ReduceMean forms. lowerFloatOnlyOps.test.ts checks the
 * lowering against onnxruntime's float32 kernels, and conv/pool rule tests also run the emitted
 * backward graph with the native float32 kernels against the float64 result.
 */
async function runnable(model: Model): Promise<Model> {
  return lowerFloatOnlyOps(substituteFloat64(model));
}

/** A copy of the model with every node listed in `float64Substitutes` rewritten (float64 graphs only). */
export function substituteFloat64(model: Model): Model {
  const g = model.graph;
  if (!g.nodes.some((n) => n.opType in float64Substitutes)) return model;
  const nodes: Node[] = [];
  const initializers = new Map(g.initializers);
  let counter = 0;
  const fresh = (hint: string) => `f64sub/${hint}_${counter++}`;
  const constant = (v: number) => {
    const name = fresh('c');
    initializers.set(name, makeTensor(name, DataType.DOUBLE, [], [v]));
    return name;
  };
  const add = (op: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrInput>) => {
    nodes.push(makeNode({ op, inputs, outputs, attrs, name: fresh(op) }, 0));
  };
  for (const n of g.nodes) {
    const sub = float64Substitutes[n.opType];
    if (sub && (n.domain === '' || n.domain === 'ai.onnx')) sub(n, fresh, add, constant);
    else nodes.push(n);
  }
  const graph: Graph = { ...g, nodes, initializers };
  return { ...model, graph };
}
