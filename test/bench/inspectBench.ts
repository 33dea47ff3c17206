// Parse + layer graph of a generated 2,000-node transformer-like model (target: under 1 s together).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchSection } from './bench';
import { makeModel, type NodeSpec } from '../../src/core/onnx/makeModel';
import { makeTensor } from '../../src/core/onnx/tensorCodec';
import { DataType, type Tensor } from '../../src/core/onnx/ir';
import { writeModel } from '../../src/core/onnx/writeModel';
import { readModel } from '../../src/core/onnx/readModel';
import { buildLayerGraph } from '../../src/core/views/layerGraph';
import { inspectModel } from '../../src/core/views/inspectModel';

const D = 64;

/** A stack of attention-like blocks, 25 nodes each, with PyTorch-style scoped names, Constants and Shape chains. */
export function generateModel(targetNodes: number) {
  const nodes: NodeSpec[] = [];
  const initializers: Tensor[] = [];
  const weight = (name: string, dims: number[]) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => Math.sin(i + initializers.length));
    initializers.push(makeTensor(name, DataType.FLOAT, dims, values));
    return name;
  };
  const int64 = (name: string, values: number[]) => {
    initializers.push(makeTensor(name, DataType.INT64, [values.length], values.map(BigInt)));
    return name;
  };
  let x = 'tokens';
  for (let b = 0; nodes.length < targetNodes; b++) {
    const s = `/encoder/layer.${b}`;
    const t = (n: string) => `${s}/${n}_output_0`;
    const node = (op: string, name: string, inputs: string[], attrs?: NodeSpec['attrs']) => {
      nodes.push({ op, name: `${s}/${name}`, inputs, outputs: [t(name)], attrs });
      return t(name);
    };
    const ln = node(
      'LayerNormalization', 'ln/LayerNormalization',
      [x, weight(`layer.${b}.ln.weight`, [D]), weight(`layer.${b}.ln.bias`, [D])],
      { axis: -1 },
    );
    const q = node('MatMul', 'attn/q/MatMul', [ln, weight(`layer.${b}.q.weight`, [D, D])]);
    const k = node('MatMul', 'attn/k/MatMul', [ln, weight(`layer.${b}.k.weight`, [D, D])]);
    const v = node('MatMul', 'attn/v/MatMul', [ln, weight(`layer.${b}.v.weight`, [D, D])]);
    const shape = node('Shape', 'attn/Shape', [q]);
    const zero = node('Constant', 'attn/Constant', [], {
      value: { type: 'tensor', value: makeTensor('c', DataType.INT64, [], [0n]) },
    });
    const batch = node('Gather', 'attn/Gather', [shape, zero], { axis: 0 });
    const ub = node('Unsqueeze', 'attn/Unsqueeze', [batch, int64(`layer.${b}.axes0`, [0])]);
    const heads = node('Constant', 'attn/Constant_1', [], {
      value: { type: 'tensor', value: makeTensor('c', DataType.INT64, [3], [-1n, 4n, 16n]) },
    });
    const newShape = node('Concat', 'attn/Concat', [ub, heads], { axis: 0 });
    const qh = node('Reshape', 'attn/Reshape', [q, newShape]);
    const kh = node('Reshape', 'attn/Reshape_1', [k, newShape]);
    const vh = node('Reshape', 'attn/Reshape_2', [v, newShape]);
    const kt = node('Transpose', 'attn/Transpose', [kh], { perm: [0, 1, 3, 2] });
    const scores = node('MatMul', 'attn/MatMul', [qh, kt]);
    const scale = node('Constant', 'attn/Constant_2', [], {
      value: { type: 'tensor', value: makeTensor('c', DataType.FLOAT, [], [0.25]) },
    });
    const scaled = node('Mul', 'attn/Mul', [scores, scale]);
    const probs = node('Softmax', 'attn/Softmax', [scaled], { axis: -1 });
    const ctx = node('MatMul', 'attn/MatMul_1', [probs, vh]);
    const merged = node('Reshape', 'attn/Reshape_3', [ctx, int64(`layer.${b}.merge`, [0, -1, D])]);
    const proj = node('MatMul', 'attn/proj/MatMul', [merged, weight(`layer.${b}.proj.weight`, [D, D])]);
    const biased = node('Add', 'attn/proj/Add', [proj, weight(`layer.${b}.proj.bias`, [D])]);
    const res = node('Add', 'Add', [x, biased]);
    const act = node('Relu', 'mlp/Relu', [res]);
    x = node('Identity', 'Identity', [act]);
  }
  return makeModel({
    inputs: [{ name: 'tokens', shape: ['batch', 'seq', D] }], outputs: [{ name: x }], nodes, initializers, opset: 17,
  });
}

/** The bundled CLI end to end, node start-up included; skipped when dist/cli.js is not built. */
function cliRun(file: string): { ms: number; note: string } | null {
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  if (!fs.existsSync(cli)) return null;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'inspect', file, '--no-run', '--json'], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  return { ms, note: r.status === 0 ? 'exit 0' : `exit ${r.status}: ${r.stderr.trim()}` };
}

export const inspectBench: BenchSection = {
  name: 'inspect',
  description: 'read a generated 2,000-node model from disk and build its layer graph',
  async run() {
    const model = generateModel(2000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snl-bench-'));
    const file = path.join(dir, 'model.onnx');
    writeModel(file, model);
    const size = fs.statSync(file).size;
    try {
      // One warm-up pass (module loading, JIT), then the median of 5 timed passes.
      const once = () => {
        const t0 = performance.now();
        const m = readModel(file);
        const t1 = performance.now();
        const view = buildLayerGraph(m);
        const t2 = performance.now();
        inspectModel(m);
        const t3 = performance.now();
        return {
          parse: t1 - t0, graph: t2 - t1, inspect: t3 - t2, nodes: m.graph.nodes.length, viewNodes: view.nodes.length,
        };
      };
      const cold = once();
      const runs = Array.from({ length: 5 }, once);
      const median = (k: 'parse' | 'graph' | 'inspect') => runs.map((r) => r[k]).sort((a, b) => a - b)[2]!;
      const cli = cliRun(file);
      const note = `${cold.nodes} nodes, ${(size / 1e6).toFixed(1)} MB, ${cold.viewNodes} layer nodes`;
      return [
        { label: 'first run: parse + layer graph', ms: cold.parse + cold.graph, targetMs: 1000, note },
        { label: 'parse (readModel), median of 5', ms: median('parse') },
        { label: 'buildLayerGraph, median of 5', ms: median('graph') },
        { label: 'parse + layer graph, median of 5', ms: median('parse') + median('graph'), targetMs: 1000 },
        { label: 'inspect report (after parse), median of 5', ms: median('inspect') },
        ...(cli ? [{ label: 'dist/cli.js inspect --no-run (whole process)', ms: cli.ms, note: cli.note }] : []),
      ];
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
