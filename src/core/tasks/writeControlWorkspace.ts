// The benchmark's trained controls (control-modular, control-entangled), also the protocol tests' planted
// networks: the weights come from the engine's weight-training mode (trainBaseModel) on the task, starting
// from a seeded PyTorch-style initialisation, so every base seed gives a different network. Input
// x = [x_1 … x_S], 4 features per subroutine; a row of subroutine s carries signal only in x_s and its label
// is whether (x_s[0], x_s[1]) lies outside the circle holding half the rows: a ReLU layer needs most of its units for
// that boundary, so a stream holds one copy of its subroutine rather than several redundant ones.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeModel, type NodeSpec } from '../onnx/makeModel';
import { makeTensor } from '../onnx/tensorCodec';
import type { Model, Tensor } from '../onnx/ir';
import { writeModel } from '../onnx/writeModel';
import { writeNpz } from '../data/writeNpz';
import { Rng } from '../util/random';

const FEATURES = 4;
/** Median of χ²₂ (2 ln 2): half the rows fall outside the circle. */
const MEDIAN_RADIUS2 = 2 * Math.LN2;
/**
 * Units per stream. At 8 a size-matched random ablation of a 160-weight network often removed a whole
 * stream's head weights, so the null of the ablation score spread over ±0.3; at 32 it is diffuse.
 */
const HIDDEN = 32;
export const SUBROUTINES = ['A', 'B', 'C'];
/** Base-model training of these networks, chosen on their task accuracy. */
export const CONTROL_BASE_TRAINING = { epochs: 10, lr: 0.01, batch: 32 };

/** nn.Linear's default initialisation: weight [out, in] and bias from U(±1/√in). */
function linear(rng: Rng, name: string, out: number, inputs: number): Tensor[] {
  const bound = 1 / Math.sqrt(inputs);
  const u = (n: number) => Array.from({ length: n }, () => rng.uniform(-bound, bound));
  const weight = makeTensor(`${name}.weight`, 1, [out, inputs], u(out * inputs));
  return [weight, makeTensor(`${name}.bias`, 1, [out], u(out))];
}

/** x · W[name]ᵀ + b[name], as PyTorch exports nn.Linear. */
const gemm = (input: string, name: string, output: string): NodeSpec => ({
  op: 'Gemm', inputs: [input, `${name}.weight`, `${name}.bias`], outputs: [output], attrs: { transB: 1 },
  name: `/${name}/Gemm`,
});

const relu = (input: string, output: string, scope: string): NodeSpec =>
  ({ op: 'Relu', inputs: [input], outputs: [output], name: `/${scope}/Relu` });

/** Slices x into one 4-feature input per subroutine, x0 … x{streams−1}. */
function slices(streams: number): { nodes: NodeSpec[]; initializers: Tensor[] } {
  const nodes: NodeSpec[] = [];
  const initializers: Tensor[] = [makeTensor('axis1', 7, [1], [1n])];
  for (let s = 0; s < streams; s++) {
    initializers.push(
      makeTensor(`start${s}`, 7, [1], [BigInt(s * FEATURES)]),
      makeTensor(`end${s}`, 7, [1], [BigInt((s + 1) * FEATURES)]),
    );
    const bounds = ['x', `start${s}`, `end${s}`, 'axis1'];
    nodes.push({ op: 'Slice', inputs: bounds, outputs: [`x${s}`], name: `/split/Slice${s}` });
  }
  return { nodes, initializers };
}

function classifier(streams: number, nodes: NodeSpec[], initializers: Tensor[]) {
  return makeModel({
    inputs: [{ name: 'x', shape: ['N', streams * FEATURES] }], outputs: [{ name: 'logits', shape: ['N', 2] }],
    nodes, initializers,
  });
}

/** One MLP stream per subroutine (4 → HIDDEN, ReLU); the streams meet only in the linear head. */
export function streamsModel(streams: number, seed: number) {
  const rng = Rng.derive(seed, 'planted-init');
  const { nodes, initializers } = slices(streams);
  for (let s = 0; s < streams; s++) {
    initializers.push(...linear(rng, `stream${s}`, HIDDEN, FEATURES));
    nodes.push(gemm(`x${s}`, `stream${s}`, `h${s}`), relu(`h${s}`, `a${s}`, `stream${s}`));
  }
  initializers.push(...linear(rng, 'head', 2, streams * HIDDEN));
  const joined = Array.from({ length: streams }, (_, s) => `a${s}`);
  nodes.push(
    { op: 'Concat', inputs: joined, outputs: ['a'], attrs: { axis: 1 }, name: '/head/Concat' },
    gemm('a', 'head', 'logits'),
  );
  return classifier(streams, nodes, initializers);
}

/** One module for both subroutines: the halves are added, then one MLP (4 → HIDDEN, ReLU) and the head. */
export function sharedModel(seed: number) {
  const rng = Rng.derive(seed, 'planted-init');
  const { nodes, initializers } = slices(2);
  initializers.push(...linear(rng, 'shared', HIDDEN, FEATURES), ...linear(rng, 'head', 2, HIDDEN));
  nodes.push(
    { op: 'Add', inputs: ['x0', 'x1'], outputs: ['s'], name: '/shared/Add' },
    gemm('s', 'shared', 'h'), relu('h', 'a', 'shared'), gemm('a', 'head', 'logits'),
  );
  return classifier(2, nodes, initializers);
}

/** Rows of subroutine `which` (signal in its 4 features only), or a mix of every subroutine's rows. */
function rows(n: number, streams: number, which: number | 'mix', seed: number) {
  const rng = new Rng(seed);
  const width = streams * FEATURES;
  const x = new Float32Array(n * width);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const first = i * width + (which === 'mix' ? i % streams : which) * FEATURES;
    for (let j = 0; j < FEATURES; j++) x[first + j] = rng.normal();
    y[i] = x[first]! ** 2 + x[first + 1]! ** 2 > MEDIAN_RADIUS2 ? 1n : 0n;
  }
  return {
    x: { dtype: 'float32' as const, shape: [n, width], data: x },
    labels: { dtype: 'int64' as const, shape: [n], data: y },
  };
}

/**
 * A workspace (model, data, spec) the way trainBaseModel expects it. The mask hyper-parameters are those
 * of the protocol's hand-built planted tests, set on mask training accuracy and kept fraction,
 * never on an ablation outcome.
 */
export function writeControlWorkspace(dir: string, model: Model, streams: number): string {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeModel(path.join(dir, 'model.onnx'), model);
  const subroutines: Record<string, { train: string; test: string }> = {};
  SUBROUTINES.slice(0, streams).forEach((name, s) => {
    writeNpz(path.join(dir, `data/${name}_train.npz`), rows(256, streams, s, 10 + s));
    writeNpz(path.join(dir, `data/${name}_test.npz`), rows(400, streams, s, 20 + s));
    subroutines[name] = { train: `data/${name}_train.npz`, test: `data/${name}_test.npz` };
  });
  writeNpz(path.join(dir, 'data/task_train.npz'), rows(512 * streams, streams, 'mix', 1));
  writeNpz(path.join(dir, 'data/task.npz'), rows(400, streams, 'mix', 2));
  const spec = {
    model: 'model.onnx', output: 'logits', head: { type: 'classify' }, subroutines,
    task: { test: 'data/task.npz', train: 'data/task_train.npz' },
    mask: {
      method: 'continuous-sparsification', init: 0.5, lambda: 0.01, lr: 0.05, epochs: 15, batch: 32,
      temperature: [1, 200],
    },
    controls: { randomInit: false, randomAblations: 100, ablationModes: ['zero'] },
    seeds: [0, 1, 2],
  };
  const specPath = path.join(dir, 'control.subnet.json');
  fs.writeFileSync(specPath, JSON.stringify(spec, null, 2));
  return specPath;
}
