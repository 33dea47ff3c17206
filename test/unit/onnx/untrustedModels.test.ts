// Reading a model must never run it: `inspect` and static shape inference on hostile models, static
// inference on malformed attributes (unknown, never a crash), and the byte cap of onnxruntime probes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ShapeInferenceError } from '../../../src/core/onnx/errors';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { inferShapesStatically } from '../../../src/core/onnx/inferShapesStatically';
import type { AttributeValue, Model } from '../../../src/core/onnx/ir';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { readModel } from '../../../src/core/onnx/readModel';
import { writeModel } from '../../../src/core/onnx/writeModel';
import { Rng } from '../../../src/core/util/random';
import { endlessLoopModel, hugeExpandModel } from '../../support/hostileModels';

const repoRoot = path.resolve(__dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'untrusted-onnx-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('models that must not be run', () => {
  test('inspect on a Loop with trip count 10¹² returns promptly (it does not run the model)', () => {
    const file = path.join(dir, 'loop.onnx');
    writeModel(file, endlessLoopModel());
    const started = Date.now();
    const cli = path.join(repoRoot, 'src/cli/main.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'inspect', file, '--json'],
      { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    assert.equal(r.signal, null, `inspect was still running after ${Date.now() - started} ms`);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.controlFlow.map((c: { opType: string }) => c.opType), ['Loop']);
    assert.equal(report.outputs[0].shape, null, 'the Loop result is not measured');
  });

  test('static shapes of the hostile models: known where the file says, unknown after the Loop', () => {
    const loop = inferShapesStatically(endlessLoopModel());
    assert.deepEqual(loop.get('x'), [2]);
    assert.equal(loop.has('looped'), false);
    const expand = inferShapesStatically(hugeExpandModel());
    assert.deepEqual(expand.get('big'), [1_000_000, 1_000_000]);
    assert.deepEqual(expand.get('y'), []);
  });

  test('onnxruntime probe inputs over the byte cap are refused before anything is allocated', async () => {
    const model = makeModel({
      inputs: [{ name: 'x', shape: [1_000_000_000] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    });
    await assert.rejects(inferShapes(model), (e: Error) => {
      assert.ok(e instanceof ShapeInferenceError);
      assert.match(e.message, /probe inputs would take 3\.7 GiB, over the cap of 1\.0 GiB/);
      return true;
    });
  });
});

/** Replaces the value of one attribute, or an input name, with something a careless or hostile file could hold. */
function mutate(model: Model, rng: Rng): void {
  const nodes = model.graph.nodes;
  const node = rng.pick(nodes);
  const pick = <T>(list: readonly T[]) => rng.pick(list);
  const wild = () => pick([-(2 ** 40), -3, -1, 0, 1, 2, 7, 2 ** 31, 2 ** 53, Number.NaN]);
  const roll = rng.next();
  if (roll < 0.3 && node.inputs.length) {
    node.inputs[rng.int(node.inputs.length)] = pick(['', 'nowhere', nodes[0]!.outputs[0]!]);
  } else if (roll < 0.4) {
    node.opType = pick(['Reshape', 'Slice', 'Conv', 'Split', 'Gather', 'Concat', 'Resize', 'Expand', 'Pad', 'TopK']);
  } else {
    const names = ['axis', 'axes', 'perm', 'pads', 'strides', 'kernel_shape', 'split', 'group', 'keepdims', 'to'];
    const value: AttributeValue = rng.next() < 0.5
      ? { type: 'int', value: wild() }
      : { type: 'ints', value: Array.from({ length: rng.int(5) }, wild) };
    node.attributes.set(pick(names), value);
  }
}

describe('inferShapesStatically on malformed models', () => {
  test('2,000 seeded mutations of the fixtures: never throws, every dim is a count, a symbol or unknown', () => {
    const rng = new Rng(15);
    const files = ['mlp', 'cnn', 'attention'].map((n) => path.join(repoRoot, 'test/fixtures', `${n}.onnx`));
    for (let i = 0; i < 2000; i++) {
      const model = readModel(files[i % files.length]!);
      for (let k = 0; k < 3; k++) mutate(model, rng);
      const shapes = inferShapesStatically(model);
      for (const [name, shape] of shapes) {
        for (const d of shape) {
          const ok = d === null || (typeof d === 'string' && d !== '') || (Number.isInteger(d) && (d as number) >= 0);
          assert.ok(ok, `case ${i}: ${name} has dim ${String(d)}`);
        }
      }
    }
  });
});
