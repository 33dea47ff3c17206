import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findGradientRule, isNonDifferentiable } from '../../../src/core/autodiff/registry';
import { selectInitializers } from '../../../src/core/data/loadSpec';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { writeModel } from '../../../src/core/onnx/writeModel';
import { createSession, ort } from '../../../src/core/runtime/session';
import { makeVisionModel } from '../../../src/core/tasks/makeVisionModel';
import { makeVisionProblems } from '../../../src/core/tasks/makeVisionProblems';
import { attribute } from '../../../src/core/train/attribute';
import { arrayData } from '../../../src/core/train/TrainingData';
import { Rng } from '../../../src/core/util/random';
import { SCOPE_LAYERS } from '../../../src/jobs/runDemo';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve(import.meta.dirname, '../../fixtures/torch_graph_attribution.py');

describe('vision ResNet', () => {
  const model = makeVisionModel({ seed: 0 });
  const weights = [...model.graph.initializers.values()];

  test('has 100k–300k trainable parameters, nearly all of them maskable conv kernels and matrices', () => {
    const total = weights.reduce((n, t) => n + t.data.length, 0);
    const maskable = weights.filter((t) => t.dims.length >= 2).reduce((n, t) => n + t.data.length, 0);
    assert.ok(total >= 100_000 && total <= 300_000, `${total} parameters`);
    assert.ok(maskable / total > 0.99, `${maskable} of ${total} maskable`);
  });

  test('normalises after every conv, without trainable norm parameters, and has residual adds in every stage', () => {
    const nodes = model.graph.nodes;
    for (const conv of nodes.filter((n) => n.opType === 'Conv')) {
      const next = nodes.find((n) => n.inputs[0] === conv.outputs[0]);
      assert.equal(next?.opType, 'InstanceNormalization', `${conv.name} feeds a norm`);
      assert.ok(next!.inputs.slice(1).every((i) => !model.graph.initializers.has(i)), `${next!.name} is non-affine`);
    }
    for (const k of [1, 2, 3]) {
      assert.ok(nodes.some((n) => n.name === `/stage${k}/Add`), `stage ${k} has a residual Add`);
    }
  });

  test('every op has a gradient rule (or is a constant)', () => {
    for (const node of model.graph.nodes) {
      const rule = findGradientRule(node.opType, node.domain, 18);
      const ok = rule !== undefined || isNonDifferentiable(node.opType, node.domain);
      assert.ok(ok, `${node.opType} (${node.name})`);
    }
  });

  test('the demo mask scopes leave the stem out: post-stem = last two stages + head, late = last + head', () => {
    const names = weights.filter((t) => t.dims.length >= 2).map((t) => t.name);
    const scope = (globs: string[]) => selectInitializers(names, globs, []);
    const prefixes = (list: string[]) => [...new Set(list.map((n) => n.split('.')[0]))].sort();
    assert.deepEqual(prefixes(scope(SCOPE_LAYERS['post-stem'].vision)), ['head', 'stage2', 'stage3']);
    assert.deepEqual(prefixes(scope(SCOPE_LAYERS.late.vision)), ['head', 'stage3']);
    assert.deepEqual(prefixes(names), ['head', 'stage1', 'stage2', 'stage3', 'stem']);
  });

  test('runs at 48 and 64 px and embeds images to z [N, 32]', async () => {
    for (const size of [48, 64]) {
      const m = makeVisionModel({ seed: 0, imageSize: size });
      const set = makeVisionProblems('inside-number', 'task', 1, new Rng(0), { imageSize: size });
      const session = await createSession(m, { threads: 1 });
      const x = new ort.Tensor('float32', set.inputs.x!.data as Float32Array, [4, 1, size, size]);
      const out = await session.run({ x });
      await session.release();
      assert.deepEqual(out.z!.dims, [4, 32]);
      assert.ok((out.z!.data as Float32Array).every(Number.isFinite));
    }
  });

  const torch = spawnSync(PYTHON, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
  const skip = torch.status === 0 ? false
    : `${PYTHON} has no torch/onnx/numpy (apt-get install python3-torch python3-onnx python3-numpy)`;
  test('attribute (W ⊙ ∂L/∂W) agrees with PyTorch float64 autograd on every weight', { skip }, async () => {
    const size = 32;
    const m = makeVisionModel({ seed: 4, imageSize: size });
    const set = makeVisionProblems('inside-contact', 'task', 3, new Rng(9), { imageSize: size });
    const x = set.inputs.x!.data as Float32Array;
    const rows = 12;
    const rng = new Rng(2);
    // Classify head on z itself (32 logits): exercises the model's gradients without the odd-one-out head.
    const labels = BigInt64Array.from({ length: rows }, () => BigInt(rng.int(32)));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vision-torch-'));
    try {
      writeModel(path.join(dir, 'model.onnx'), m);
      writeNpz(path.join(dir, 'data.npz'), {
        x: { dtype: 'float32', shape: [rows, 1, size, size], data: x },
        labels: { dtype: 'int64', shape: [rows], data: labels },
      });
      const files = ['model.onnx', 'data.npz', 'out.json'].map((f) => path.join(dir, f));
      const run = spawnSync(PYTHON, [SCRIPT, ...files], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(run.status, 0, run.stderr);
      const reference = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as {
        z: number[]; attribution: Record<string, number[]>;
      };
      const session = await createSession(m, { threads: 1 });
      const out = await session.run({ x: new ort.Tensor('float32', x, [rows, 1, size, size]) });
      await session.release();
      assert.ok(relativeError(out.z!.data as Float32Array, reference.z) < 1e-4, 'onnxruntime and PyTorch agree on z');

      const tensors = weights.filter((t) => t.dims.length >= 2).map((t) => t.name);
      const data = arrayData({ x: { data: x, dims: [rows, 1, size, size] } }, labels);
      const ours = await attribute(m, data, { output: 'z', head: { type: 'classify' }, tensors, threads: 1 });
      assert.deepEqual([...ours.keys()].sort(), Object.keys(reference.attribution).sort());
      for (const name of tensors) {
        const err = relativeError(ours.get(name)!, reference.attribution[name]!);
        assert.ok(err < 1e-3, `${name}: ‖ours − torch‖ / ‖torch‖ = ${err.toExponential(2)}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}
