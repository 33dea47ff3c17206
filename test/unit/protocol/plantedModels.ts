// Models whose modular structure is known by construction, and a workspace around them.
// Input x = [xa (4), xb (4)]; subroutine A's answer is xa[0] > 0, B's is xb[0] > 0.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { writeModel } from '../../../src/core/onnx/writeModel';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { Rng } from '../../../src/core/util/random';

const HIDDEN = 8;

/**
 * Two streams with block-diagonal weights: hidden units 0–1 read only xa[0], 2–3 only xb[0], both
 * answer through the same two logits; units 4–7 are small random distractors. Removing the A block
 * leaves B intact and vice versa.
 */
export function twoStreamModel(seed: number) {
  const rng = new Rng(seed);
  const w1 = new Float32Array(HIDDEN * 8);
  w1[0 * 8 + 0] = 1; w1[1 * 8 + 0] = -1; w1[2 * 8 + 4] = 1; w1[3 * 8 + 4] = -1;
  for (let h = 4; h < HIDDEN; h++) for (let i = 0; i < 8; i++) w1[h * 8 + i] = 0.1 * rng.normal();
  const w2 = new Float32Array(2 * HIDDEN);
  const sign = [1, -1, 1, -1];
  for (let h = 0; h < 4; h++) { w2[h] = -2 * sign[h]!; w2[HIDDEN + h] = 2 * sign[h]!; }
  for (let h = 4; h < HIDDEN; h++) { w2[h] = 0.05 * rng.normal(); w2[HIDDEN + h] = 0.05 * rng.normal(); }
  return makeModel({
    inputs: [{ name: 'x', shape: ['N', 8] }], outputs: [{ name: 'logits', shape: ['N', 2] }],
    nodes: [
      { op: 'Gemm', inputs: ['x', 'fc1.weight'], outputs: ['h'], attrs: { transB: 1 }, name: '/fc1/Gemm' },
      { op: 'Relu', inputs: ['h'], outputs: ['a'], name: '/fc1/Relu' },
      { op: 'Gemm', inputs: ['a', 'fc2.weight'], outputs: ['logits'], attrs: { transB: 1 }, name: '/fc2/Gemm' },
    ],
    initializers: [makeTensor('fc1.weight', 1, [HIDDEN, 8], w1), makeTensor('fc2.weight', 1, [2, HIDDEN], w2)],
  });
}

/** One module serves both halves: the halves are summed before a single set of weights reads them. */
export function weightTiedModel() {
  const w1 = new Float32Array(2 * 4);
  w1[0] = 1; w1[4] = -1;
  const w2 = Float32Array.from([-2, 2, 2, -2]);
  return makeModel({
    inputs: [{ name: 'x', shape: ['N', 8] }], outputs: [{ name: 'logits', shape: ['N', 2] }],
    nodes: [
      { op: 'Slice', inputs: ['x', 'lo0', 'lo1', 'axis1'], outputs: ['xa'], name: '/split/SliceA' },
      { op: 'Slice', inputs: ['x', 'hi0', 'hi1', 'axis1'], outputs: ['xb'], name: '/split/SliceB' },
      { op: 'Add', inputs: ['xa', 'xb'], outputs: ['s'], name: '/shared/Add' },
      { op: 'Gemm', inputs: ['s', 'fc1.weight'], outputs: ['h'], attrs: { transB: 1 }, name: '/shared/Gemm' },
      { op: 'Relu', inputs: ['h'], outputs: ['a'], name: '/shared/Relu' },
      { op: 'Gemm', inputs: ['a', 'fc2.weight'], outputs: ['logits'], attrs: { transB: 1 }, name: '/out/Gemm' },
    ],
    initializers: [
      makeTensor('lo0', 7, [1], [0n]), makeTensor('lo1', 7, [1], [4n]), makeTensor('hi0', 7, [1], [4n]),
      makeTensor('hi1', 7, [1], [8n]),
      makeTensor('axis1', 7, [1], [1n]),
      makeTensor('fc1.weight', 1, [2, 4], w1), makeTensor('fc2.weight', 1, [2, 2], w2),
    ],
  });
}

/** Rows where only one half carries signal: the label is that half's first feature > 0. */
function halfData(n: number, half: 0 | 1, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 8);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 8 + half * 4 + j] = rng.normal();
    y[i] = x[i * 8 + half * 4]! > 0 ? 1n : 0n;
  }
  return { x: { dtype: 'float32' as const, shape: [n, 8], data: x },
    labels: { dtype: 'int64' as const, shape: [n], data: y } };
}

export function writePlantedWorkspace(dir: string, model: ReturnType<typeof makeModel>,
  mask: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeModel(path.join(dir, 'model.onnx'), model);
  writeNpz(path.join(dir, 'data/A_train.npz'), halfData(256, 0, 1));
  writeNpz(path.join(dir, 'data/A_test.npz'), halfData(200, 0, 2));
  writeNpz(path.join(dir, 'data/B_train.npz'), halfData(256, 1, 3));
  writeNpz(path.join(dir, 'data/B_test.npz'), halfData(200, 1, 4));
  writeNpz(path.join(dir, 'data/A_val.npz'), halfData(100, 0, 5));
  writeNpz(path.join(dir, 'data/B_val.npz'), halfData(100, 1, 6));
  const spec = {
    model: 'model.onnx', output: 'logits', head: { type: 'classify' },
    subroutines: {
      A: { train: 'data/A_train.npz', test: 'data/A_test.npz', validation: 'data/A_val.npz' },
      B: { train: 'data/B_train.npz', test: 'data/B_test.npz', validation: 'data/B_val.npz' },
    },
    mask: { method: 'continuous-sparsification', init: 0.5, lambda: 0.01, lr: 0.05, epochs: 15, batch: 32,
      temperature: [1, 200], ...mask },
    controls: { randomInit: false, randomAblations: 20, ablationModes: ['zero'] },
    seeds: [0, 1, 2],
    ...extra,
  };
  const specPath = path.join(dir, 'planted.subnet.json');
  fs.writeFileSync(specPath, JSON.stringify(spec, null, 2));
  return specPath;
}
