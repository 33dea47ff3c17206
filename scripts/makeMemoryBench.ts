// Writes a workspace whose model holds one 200 MB unmasked weight (an embedding table read by Gather)
// beside two small masked ones, to measure the peak memory of `find`:
//   node --import tsx scripts/makeMemoryBench.ts DIR && /usr/bin/time -v node dist/cli.js find DIR/bench.subnet.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeModel } from '../src/core/onnx/makeModel';
import { makeTensor } from '../src/core/onnx/tensorCodec';
import { writeModel } from '../src/core/onnx/writeModel';
import { writeNpz } from '../src/core/data/writeNpz';
import { Rng } from '../src/core/util/random';

const ROWS = 50_000;
const WIDTH = 1000; // 50,000 × 1,000 float32 = 200 MB

const dir = path.resolve(process.argv[2] ?? 'membench');
fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
const rng = new Rng(0);
const table = new Float32Array(ROWS * WIDTH).map(() => 0.01 * rng.normal());
writeModel(path.join(dir, 'model.onnx'), makeModel({
  inputs: [{ name: 'x', shape: ['N', 8] }, { name: 'ids', shape: ['N'], elemType: 7 }],
  outputs: [{ name: 'logits', shape: ['N', 2] }],
  nodes: [
    { op: 'Gemm', inputs: ['x', 'fc.weight'], outputs: ['h'], attrs: { transB: 1 } },
    { op: 'Gather', inputs: ['table', 'ids'], outputs: ['e'] },
    { op: 'Gemm', inputs: ['e', 'proj.weight'], outputs: ['p'], attrs: { transB: 1 } },
    { op: 'Add', inputs: ['h', 'p'], outputs: ['logits'] },
  ],
  initializers: [
    makeTensor('fc.weight', 1, [2, 8], Array.from({ length: 16 }, () => rng.normal())),
    makeTensor('table', 1, [ROWS, WIDTH], table),
    makeTensor('proj.weight', 1, [2, WIDTH], Array.from({ length: 2 * WIDTH }, () => rng.normal())),
  ],
}));
for (const [name, rows] of [['A_train', 64], ['A_test', 64], ['B_train', 64], ['B_test', 64]] as const) {
  const x = new Float32Array(rows * 8).map(() => rng.normal());
  const feature = name.startsWith('A') ? 0 : 4;
  const labels = BigInt64Array.from({ length: rows }, (_, i) => BigInt(x[i * 8 + feature]! > 0 ? 1 : 0));
  writeNpz(path.join(dir, 'data', `${name}.npz`), {
    x: { dtype: 'float32', shape: [rows, 8], data: x },
    ids: {
      dtype: 'int64', shape: [rows], data: BigInt64Array.from({ length: rows }, (_, i) => BigInt((i * 7919) % ROWS)),
    },
    labels: { dtype: 'int64', shape: [rows], data: labels },
  });
}
fs.writeFileSync(path.join(dir, 'bench.subnet.json'), JSON.stringify({
  model: 'model.onnx', output: 'logits', head: { type: 'classify' },
  subroutines: {
    A: { train: 'data/A_train.npz', test: 'data/A_test.npz' },
    B: { train: 'data/B_train.npz', test: 'data/B_test.npz' },
  },
  mask: { method: 'continuous-sparsification', include: ['fc.weight', 'proj.weight'], epochs: 2, batch: 32 },
  controls: { randomInit: false, randomAblations: 2, ablationModes: ['zero'] },
  seeds: [0],
}, null, 2));
