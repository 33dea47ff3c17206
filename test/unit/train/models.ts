// Small models and data built in code for the training tests.
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import type { Model } from '../../../src/core/onnx/ir';
import { Rng } from '../../../src/core/util/random';
import { arrayData, type TrainingData } from '../../../src/core/train/TrainingData';

/** x[N, inputs] → Gemm → Relu → Gemm → logits[N, classes], He-initialised from `seed`. */
export function mlp(inputs: number, hidden: number, classes: number, seed = 1): Model {
  const rng = new Rng(seed);
  const he = (fanIn: number, n: number) => Array.from({ length: n }, () => rng.normal() * Math.sqrt(2 / fanIn));
  return makeModel({
    inputs: [{ name: 'x', shape: ['N', inputs] }],
    outputs: [{ name: 'logits', shape: ['N', classes] }],
    nodes: [
      { op: 'Gemm', inputs: ['x', 'fc1.weight', 'fc1.bias'], outputs: ['h'], attrs: { transB: 1 }, name: '/fc1/Gemm' },
      { op: 'Relu', inputs: ['h'], outputs: ['a'], name: '/act/Relu' },
      {
        op: 'Gemm', inputs: ['a', 'fc2.weight', 'fc2.bias'], outputs: ['logits'], attrs: { transB: 1 },
        name: '/fc2/Gemm',
      },
    ],
    initializers: [
      makeTensor('fc1.weight', 1, [hidden, inputs], he(inputs, hidden * inputs)),
      makeTensor('fc1.bias', 1, [hidden], new Array(hidden).fill(0.01)),
      makeTensor('fc2.weight', 1, [classes, hidden], he(hidden, classes * hidden)),
      makeTensor('fc2.bias', 1, [classes], new Array(classes).fill(0)),
    ],
  });
}

/** Label = argmax of the first `classes` features (a linear rule the MLP can learn). */
export function argmaxData(n: number, inputs: number, classes: number, seed = 2): TrainingData {
  const rng = new Rng(seed);
  const x = new Float32Array(n * inputs);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 0; j < inputs; j++) x[i * inputs + j] = rng.normal();
    for (let j = 1; j < classes; j++) if (x[i * inputs + j]! > x[i * inputs + best]!) best = j;
    y[i] = BigInt(best);
  }
  return arrayData({ x: { data: x, dims: [n, inputs] } }, y);
}
