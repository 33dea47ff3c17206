import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModel, readModel } from '../../../src/core/onnx/readModel';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { makeModel, type ModelSpec } from '../../../src/core/onnx/makeModel';
import { defaultOpset, type Model } from '../../../src/core/onnx/ir';
import { createSession, ort } from '../../../src/core/runtime/session';
import { Rng } from '../../../src/core/util/random';

const legacy = path.join(__dirname, '..', '..', 'fixtures', 'legacy');

/** Random inputs for every data input, with the batch (and any unknown dimension) set to 2. */
function randomFeeds(model: Model, seed: number, unknownShape: number[] = [2, 3, 4, 5]): Record<string, ort.Tensor> {
  const rng = new Rng(seed);
  return Object.fromEntries(model.graph.inputs.map((v) => {
    const dims = v.shape ? v.shape.map((d) => (typeof d === 'number' ? d : 2)) : unknownShape;
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal());
    return [v.name, new ort.Tensor('float32', data, dims)];
  }));
}

/** onnxruntime's outputs of the original file and of the model as loaded (upgraded), on the same inputs. */
type Outputs = ort.InferenceSession.OnnxValueMapType;

async function runBoth(file: string, seed: number): Promise<{ model: Model; original: Outputs; upgraded: Outputs }> {
  const model = readModel(file);
  const feeds = randomFeeds(model, seed);
  const originalSession = await createSession(new Uint8Array(fs.readFileSync(file)), { threads: 1 });
  const upgradedSession = await createSession(encodeModel(model).model, { threads: 1 });
  try {
    return { model, original: await originalSession.run(feeds), upgraded: await upgradedSession.run(feeds) };
  } finally {
    await originalSession.release();
    await upgradedSession.release();
  }
}

function assertSameOutputs(original: Outputs, upgraded: Outputs): void {
  assert.deepEqual(Object.keys(upgraded).sort(), Object.keys(original).sort());
  for (const [name, want] of Object.entries(original)) {
    const have = upgraded[name]!;
    assert.deepEqual(have.dims, want.dims, name);
    const a = [...(have.data as Float32Array)].map(Number), b = [...(want.data as Float32Array)].map(Number);
    const worst = Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!)));
    assert.ok(worst <= 1e-6, `${name}: max |upgraded − original| = ${worst}`);
  }
}

const cases: { file: string; from: number; changes: Record<string, number> }[] = [
  {
    file: 'ops_clip_softmax_opset9.onnx', from: 9,
    changes: { Clip: 2, 'Softmax over 2-D': 2, 'LogSoftmax over 2-D': 1, 'Hardmax over 2-D': 1 },
  },
  {
    file: 'ops_axes_opset11.onnx', from: 11,
    changes: { Squeeze: 1, Unsqueeze: 1, Split: 1, ReduceSum: 2, 'Softmax over 2-D': 1 },
  },
  { file: 'ops_pad_slice_topk_opset9.onnx', from: 9, changes: { Pad: 2, Slice: 1, TopK: 1, Dropout: 1 } },
  {
    file: 'ops_batchnorm_upsample_opset7.onnx', from: 7,
    changes: { BatchNormalization: 1, Dropout: 1, 'Upsample→Resize': 2 },
  },
  { file: 'ops_imagescaler_opset8.onnx', from: 8, changes: { 'ImageScaler→Mul/Add': 1 } },
  { file: 'ops_upsample_opset9.onnx', from: 9, changes: { 'Upsample→Resize': 2 } },
  { file: 'ops_resize_opset10.onnx', from: 10, changes: { 'Resize-10→Resize': 2 } },
  { file: 'paddle_cls.onnx', from: 9, changes: {} },
  { file: 'paddle_det.onnx', from: 9, changes: { Clip: 1, 'Upsample→Resize': 1 } },
  { file: 'torch_opset9.onnx', from: 9, changes: { Pad: 1, Slice: 1, ReduceSum: 1, Split: 1 } },
];

describe('upgradeOpset: old-opset files run at opset 13 as onnxruntime runs the original', () => {
  for (const c of cases) {
    test(`${c.file}: opset ${c.from} → 13, outputs equal onnxruntime's on the original file`, async () => {
      for (const seed of [1, 2]) {
        const { model, original, upgraded } = await runBoth(path.join(legacy, c.file), seed);
        assert.equal(defaultOpset(model), 13);
        assert.equal(model.loadChanges?.opsetUpgradeError, undefined);
        const changes = Object.fromEntries(model.loadChanges!.opsetUpgrade!.changes.map((x) => [x.change, x.count]));
        assert.deepEqual(changes, c.changes);
        assert.equal(model.loadChanges!.opsetUpgrade!.from, c.from);
        assertSameOutputs(original, upgraded);
      }
    });
  }

  test('a Softmax over the last axis keeps one node with axis −1; other axes go through a 2-D view', () => {
    const model = readModel(path.join(legacy, 'ops_clip_softmax_opset9.onnx'));
    const last = model.graph.nodes.find((n) => n.outputs.includes('slast'))!;
    assert.equal(last.opType, 'Softmax');
    assert.deepEqual(last.attributes.get('axis'), { type: 'int', value: -1 });
    const s4 = model.graph.nodes.find((n) => n.outputs.includes('s4'))!;
    assert.equal(s4.opType, 'Reshape');
  });
});

describe('upgradeOpset: what it cannot rewrite', () => {
  const decode = (spec: ModelSpec) => decodeModel(encodeModel(makeModel(spec)).model, { file: 'old.onnx' });

  test('BatchNormalization with spatial=0 is named, and the model keeps its opset', () => {
    const model = decode({
      opset: 7, irVersion: 3,
      inputs: [{ name: 'x', shape: ['N', 2, 3] }, ...['s', 'b', 'm', 'v'].map((name) => ({ name, shape: [2, 3] }))],
      outputs: [{ name: 'y', shape: ['N', 2, 3] }],
      nodes: [{
        op: 'BatchNormalization', name: 'bn7', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attrs: { spatial: 0 },
      }],
    });
    assert.equal(defaultOpset(model), 7);
    assert.match(model.loadChanges!.opsetUpgradeError!, /node 'bn7' \(BatchNormalization\): spatial=0/);
    assert.equal(model.graph.nodes[0]!.attributes.get('spatial')?.value, 0);
  });

  test('a used Dropout mask of opset 7 (typed like the data, bool from 10) is refused', () => {
    const model = decode({
      opset: 7, inputs: [{ name: 'x', shape: [2] }], outputs: [{ name: 'mask', shape: [2] }],
      nodes: [{ op: 'Dropout', name: 'drop', inputs: ['x'], outputs: ['y', 'mask'], attrs: { ratio: 0.5 } }],
    });
    assert.match(model.loadChanges!.opsetUpgradeError!, /node 'drop' \(Dropout\): its mask output is used/);
  });

  test('a subgraph holding an op whose form changed is refused by name', () => {
    const body = encodeModel(makeModel({
      opset: 9, inputs: [], outputs: [{ name: 'o' }],
      nodes: [{ op: 'Squeeze', inputs: ['x'], outputs: ['o'], attrs: { axes: [0] } }],
    })).model;
    const inner = decodeModel(body).graph.proto!;
    const model = decode({
      opset: 9, inputs: [{ name: 'c', elemType: 9, shape: [] }, { name: 'x', shape: [1, 2] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'If', name: 'branch', inputs: ['c'], outputs: ['y'], attrs: {
        then_branch: { type: 'graph', value: inner }, else_branch: { type: 'graph', value: inner },
      } }],
    });
    assert.match(model.loadChanges!.opsetUpgradeError!, /node 'branch' \(If\): its subgraph holds Squeeze/);
  });

  test('an experimental op removed at opset 10 is named', () => {
    const model = decode({
      opset: 8, inputs: [{ name: 'x', shape: [1, 3, 4, 4] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Crop', name: 'crop0', inputs: ['x'], outputs: ['y'], attrs: { border: [1, 1, 1, 1] } }],
    });
    assert.match(model.loadChanges!.opsetUpgradeError!, /node 'crop0' \(Crop\): this experimental op has no form/);
  });

  test('opset 13 and newer models are left alone', () => {
    const model = decode({
      opset: 13, inputs: [{ name: 'x', shape: [2] }], outputs: [{ name: 'y', shape: [2] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    });
    assert.equal(model.loadChanges!.opsetUpgrade, undefined);
    assert.equal(defaultOpset(model), 13);
  });
});
