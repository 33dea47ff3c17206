// The three benchmark architectures of issue 3 item 7, built in code with seeded He-initialised weights.
// test/bench/torch_step.py builds the same architectures in PyTorch from the same weights (names below).
import type { Model, Tensor } from '../../src/core/onnx/ir';
import { DataType } from '../../src/core/onnx/ir';
import { makeModel, type NodeSpec } from '../../src/core/onnx/makeModel';
import { makeTensor } from '../../src/core/onnx/tensorCodec';
import { Rng } from '../../src/core/util/random';

export interface BenchModel {
  name: 'mlp' | 'cnn' | 'transformer';
  model: Model;
  input: string;
  /** Input shape of one example (without the batch axis). */
  example: number[];
  classes: number;
  batch: number;
  /** Initializers the mask covers: every weight of rank >= 2. */
  masked: string[];
}

class Weights {
  readonly tensors: Tensor[] = [];
  private readonly rng: Rng;
  constructor(seed: number) { this.rng = new Rng(seed); }
  /** He-normal over the fan-in (every axis but the first; the first for MatMul weights [in, out]). */
  he(name: string, dims: number[], fanIn = dims.slice(1).reduce((a, b) => a * b, 1)): string {
    const std = Math.sqrt(2 / fanIn);
    const n = dims.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: n }, () => this.rng.normal() * std);
    this.tensors.push(makeTensor(name, DataType.FLOAT, dims, values));
    return name;
  }
  fill(name: string, dims: number[], value: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.tensors.push(makeTensor(name, DataType.FLOAT, dims, new Float32Array(n).fill(value)));
    return name;
  }
  int64(name: string, values: number[]): string {
    this.tensors.push(makeTensor(name, DataType.INT64, [values.length], values.map(BigInt)));
    return name;
  }
  masked(): string[] {
    return this.tensors.filter((t) => t.dataType === DataType.FLOAT && t.dims.length >= 2).map((t) => t.name);
  }
}

/** 784-512-512-10 with ReLU, batch 256. */
export function benchMlp(): BenchModel {
  const w = new Weights(1);
  const nodes: NodeSpec[] = [];
  const sizes = [784, 512, 512, 10];
  let x = 'x';
  for (let i = 0; i < 3; i++) {
    const y = i === 2 ? 'logits' : `h${i}`;
    nodes.push({
      op: 'Gemm',
      inputs: [
        x,
        w.he(`fc${i + 1}.weight`, [sizes[i + 1]!, sizes[i]!]),
        w.fill(`fc${i + 1}.bias`, [sizes[i + 1]!], 0.01),
      ],
      outputs: [y], attrs: { transB: 1 }, name: `/fc${i + 1}/Gemm`,
    });
    if (i < 2) { nodes.push({ op: 'Relu', inputs: [y], outputs: [`a${i}`], name: `/fc${i + 1}/Relu` }); x = `a${i}`; }
  }
  const model = makeModel({
    inputs: [{ name: 'x', shape: ['N', 784] }], outputs: [{ name: 'logits', shape: ['N', 10] }],
    nodes, initializers: w.tensors,
  });
  return { name: 'mlp', model, input: 'x', example: [784], classes: 10, batch: 256, masked: w.masked() };
}

/**
 * 3×32×32 → three 3×3 convs (32, 64, 64 channels, pad 1) each followed by ReLU and 2×2 max-pooling
 * → 1024 → 256 → 10, batch 64.
 */
export function benchCnn(): BenchModel {
  const w = new Weights(2);
  const nodes: NodeSpec[] = [];
  const channels = [3, 32, 64, 64];
  let x = 'image';
  for (let i = 0; i < 3; i++) {
    const p = `/conv${i + 1}`;
    nodes.push({
      op: 'Conv',
      inputs: [
        x,
        w.he(`conv${i + 1}.weight`, [channels[i + 1]!, channels[i]!, 3, 3]),
        w.fill(`conv${i + 1}.bias`, [channels[i + 1]!], 0.01),
      ],
      outputs: [`c${i}`], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name: `${p}/Conv`,
    });
    nodes.push({ op: 'Relu', inputs: [`c${i}`], outputs: [`r${i}`], name: `${p}/Relu` });
    nodes.push({
      op: 'MaxPool', inputs: [`r${i}`], outputs: [`p${i}`], attrs: { kernel_shape: [2, 2], strides: [2, 2] },
      name: `${p}/MaxPool`,
    });
    x = `p${i}`;
  }
  nodes.push({ op: 'Flatten', inputs: [x], outputs: ['flat'], name: '/Flatten' });
  nodes.push({
    op: 'Gemm', inputs: ['flat', w.he('fc1.weight', [256, 1024]), w.fill('fc1.bias', [256], 0.01)],
    outputs: ['f1'], attrs: { transB: 1 }, name: '/fc1/Gemm',
  });
  nodes.push({ op: 'Relu', inputs: ['f1'], outputs: ['g1'], name: '/fc1/Relu' });
  nodes.push({
    op: 'Gemm', inputs: ['g1', w.he('fc2.weight', [10, 256]), w.fill('fc2.bias', [10], 0.01)],
    outputs: ['logits'], attrs: { transB: 1 }, name: '/fc2/Gemm',
  });
  const model = makeModel({
    inputs: [{ name: 'image', shape: ['N', 3, 32, 32] }], outputs: [{ name: 'logits', shape: ['N', 10] }],
    nodes, initializers: w.tensors,
  });
  return { name: 'cnn', model, input: 'image', example: [3, 32, 32], classes: 10, batch: 64, masked: w.masked() };
}

export const TRANSFORMER = { layers: 2, seq: 32, dim: 64, heads: 4, ff: 256 };

/**
 * Pre-norm transformer encoder on [N, 32, 64] token vectors: 2 layers of 4-head self-attention and a
 * 64-256-64 GELU (erf form) MLP with residuals, mean-pooled over tokens, then a 64→10 linear head. Batch 32.
 */
export function benchTransformer(): BenchModel {
  const { layers, seq, dim, heads, ff } = TRANSFORMER;
  const hd = dim / heads;
  const w = new Weights(3);
  const nodes: NodeSpec[] = [];
  const add = (op: string, inputs: string[], output: string, attrs?: NodeSpec['attrs']) => {
    nodes.push({ op, inputs, outputs: [output], attrs, name: `/${output}/${op}` });
    return output;
  };
  const split = w.int64('shape.split', [0, 0, heads, hd]);
  const merge = w.int64('shape.merge', [0, 0, dim]);
  const axes1 = w.int64('axes.tokens', [1]);
  const scale = w.fill('attn.scale', [], 1 / Math.sqrt(hd));
  const sqrt1_2 = w.fill('gelu.sqrt1_2', [], Math.SQRT1_2);
  const one = w.fill('gelu.one', [], 1);
  const half = w.fill('gelu.half', [], 0.5);
  let x = 'tokens';
  for (let l = 0; l < layers; l++) {
    const p = `layer${l}`;
    const n1 = add(
      'LayerNormalization', [x, w.fill(`${p}.ln1.weight`, [dim], 1), w.fill(`${p}.ln1.bias`, [dim], 0)], `${p}.ln1`,
      { axis: -1 },
    );
    const proj = (k: string) => {
      const projected = add('MatMul', [n1, w.he(`${p}.attn.${k}.weight`, [dim, dim], dim)], `${p}.${k}`);
      const heads = add('Reshape', [projected, split], `${p}.${k}.heads`);
      return add('Transpose', [heads], `${p}.${k}.t`, { perm: [0, 2, 1, 3] });
    };
    const q = proj('q'), k = proj('k'), v = proj('v');
    const kt = add('Transpose', [k], `${p}.kT`, { perm: [0, 1, 3, 2] });
    const scores = add('Mul', [add('MatMul', [q, kt], `${p}.qk`), scale], `${p}.scores`);
    const attn = add('Softmax', [scores], `${p}.attn`, { axis: -1 });
    const headsCtx = add('Transpose', [add('MatMul', [attn, v], `${p}.ctx`)], `${p}.ctx.t`, { perm: [0, 2, 1, 3] });
    const ctx = add('Reshape', [headsCtx, merge], `${p}.ctx.m`);
    const attnOut = add('MatMul', [ctx, w.he(`${p}.attn.out.weight`, [dim, dim], dim)], `${p}.o`);
    const r1 = add('Add', [x, attnOut], `${p}.res1`);
    const n2 = add(
      'LayerNormalization', [r1, w.fill(`${p}.ln2.weight`, [dim], 1), w.fill(`${p}.ln2.bias`, [dim], 0)], `${p}.ln2`,
      { axis: -1 },
    );
    const ff1 = add('MatMul', [n2, w.he(`${p}.ff1.weight`, [dim, ff], dim)], `${p}.ff1`);
    const h = add('Add', [ff1, w.fill(`${p}.ff1.bias`, [ff], 0.01)], `${p}.ff1b`);
    const halfH = add('Mul', [h, half], `${p}.gh`);
    const erf = add('Erf', [add('Mul', [h, sqrt1_2], `${p}.gs`)], `${p}.erf`);
    const gelu = add('Mul', [halfH, add('Add', [erf, one], `${p}.g1`)], `${p}.gelu`);
    const ff2 = add('MatMul', [gelu, w.he(`${p}.ff2.weight`, [ff, dim], ff)], `${p}.ff2`);
    const o = add('Add', [ff2, w.fill(`${p}.ff2.bias`, [dim], 0.01)], `${p}.ff2b`);
    x = add('Add', [r1, o], `${p}.out`);
  }
  const pooled = add('ReduceMean', [x, axes1], 'pooled', { keepdims: 0 });
  nodes.push({
    op: 'Gemm', inputs: [pooled, w.he('head.weight', [10, dim]), w.fill('head.bias', [10], 0.01)],
    outputs: ['logits'], attrs: { transB: 1 }, name: '/head/Gemm',
  });
  const model = makeModel({
    inputs: [{ name: 'tokens', shape: ['N', seq, dim] }], outputs: [{ name: 'logits', shape: ['N', 10] }],
    nodes, initializers: w.tensors,
  });
  return {
    name: 'transformer', model, input: 'tokens', example: [seq, dim], classes: 10, batch: 32, masked: w.masked(),
  };
}
