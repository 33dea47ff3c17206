// Table-driven checks over the PyTorch-exported fixtures listed in test/fixtures/fixtures.json.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel } from '../../../src/core/onnx/readModel';
import { inspectModel } from '../../../src/core/views/inspectModel';
import { buildLayerGraph } from '../../../src/core/views/layerGraph';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { createSession, ort } from '../../../src/core/runtime/session';

const dir = path.join(__dirname, '..', '..', 'fixtures');
interface JsonArray { shape: number[]; dtype: 'float32' | 'int64'; data: number[] }
interface Fixture {
  name: string; file: string; data: string; attribution?: string;
  expect: {
    irVersion: number; opset: number; nodeCount: number; opHistogram: Record<string, number>;
    parameterCount: number; maskableCount: number; maskableParameterCount: number; maskable: string[];
    inputs: { name: string; shape: (number | string | null)[] }[];
    outputs: { name: string; shape: (number | string | null)[] }[];
  };
}
const table = JSON.parse(fs.readFileSync(path.join(dir, 'fixtures.json'), 'utf8')) as { fixtures: Fixture[] };
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;

describe('PyTorch fixtures', () => {
  test('the table lists at least an MLP, a CNN and an attention block', () => {
    assert.deepEqual(table.fixtures.map((f) => f.name).sort(), ['attention', 'cnn', 'mlp']);
  });

  for (const fx of table.fixtures) {
    describe(fx.name, () => {
      const model = () => readModel(path.join(dir, fx.file));

      test('inspect reports the versions, op histogram, parameter and maskable counts the table expects', () => {
        const r = inspectModel(model());
        assert.equal(r.irVersion, fx.expect.irVersion);
        assert.equal(r.opset, fx.expect.opset);
        assert.equal(r.nodeCount, fx.expect.nodeCount);
        assert.deepEqual(Object.fromEntries(r.opHistogram.map((h) => [h.op, h.count])), fx.expect.opHistogram);
        assert.equal(r.parameterCount, fx.expect.parameterCount);
        assert.equal(r.maskable.tensorCount, fx.expect.maskableCount);
        assert.equal(r.maskable.parameterCount, fx.expect.maskableParameterCount);
        assert.deepEqual(r.maskable.tensors.map((t) => t.name).sort(), fx.expect.maskable);
        assert.deepEqual(r.inputs.map((v) => ({ name: v.name, shape: v.shape })), fx.expect.inputs);
        assert.deepEqual(r.outputs.map((v) => ({ name: v.name, shape: v.shape })), fx.expect.outputs);
      });

      test('the layer graph folds weights and constants and connects every op to an input', () => {
        const m = model();
        const view = buildLayerGraph(m);
        assert.ok(!view.nodes.some((n) => n.opType === 'Constant'), 'Constant nodes are folded');
        assert.equal(view.model.parameterCount, fx.expect.parameterCount);
        assert.equal(view.model.maskableCount, fx.expect.maskableCount);
        const ops = view.nodes.filter((n) => n.opType !== 'Input' && n.opType !== 'Output');
        // Folded: Constant nodes, and the Identity nodes the exporter puts on deduplicated initializers.
        const folded = m.graph.nodes.filter((n) =>
          n.opType === 'Constant' || (n.opType === 'Identity' && m.graph.initializers.has(n.inputs[0]!))).length;
        assert.equal(ops.length, fx.expect.nodeCount - folded);
        const targets = new Set(view.edges.map((e) => e.target));
        for (const n of ops) assert.ok(targets.has(n.id) || n.inputs.length === 0, `${n.id} has no incoming edge`);
        for (const out of fx.expect.outputs) assert.ok(view.edges.some((e) => e.target === `output:${out.name}`));
        assert.deepEqual(JSON.parse(JSON.stringify(view)), view, 'the view model is plain JSON');
      });

      test('shape inference gives every node output a shape with the batch symbol kept', async () => {
        const m = model();
        const shapes = await inferShapes(m);
        for (const n of m.graph.nodes) for (const o of n.outputs) if (o) assert.ok(shapes.has(o), `${o} has no shape`);
        for (const out of fx.expect.outputs) assert.deepEqual(shapes.get(out.name), out.shape);
      });

      test('onnxruntime reproduces the PyTorch outputs saved with the fixture', async () => {
        const data = readJson<{ inputs: Record<string, JsonArray>; outputs: Record<string, JsonArray> }>(fx.data);
        const session = await createSession(model());
        const feeds = Object.fromEntries(Object.entries(data.inputs).map(([k, a]) =>
          [k, new ort.Tensor('float32', Float32Array.from(a.data), a.shape)]));
        const results = await session.run(feeds);
        for (const [name, want] of Object.entries(data.outputs)) {
          const got = results[name]!;
          assert.deepEqual([...got.dims], want.shape);
          const values = got.data as Float32Array;
          want.data.forEach((v, i) =>
            assert.ok(Math.abs(values[i]! - v) < 1e-4, `${name}[${i}]: ${values[i]} vs ${v}`));
        }
        await session.release();
      });

      if (fx.attribution) {
        test('the attribution reference covers every float initializer with matching shapes', () => {
          const m = model();
          const attr = readJson<{ labels: JsonArray; values: Record<string, JsonArray> }>(fx.attribution!);
          const floats = [...m.graph.initializers.values()].filter((t) => t.dataType === 1);
          assert.deepEqual(Object.keys(attr.values).sort(), floats.map((t) => t.name).sort());
          for (const t of floats) assert.deepEqual(attr.values[t.name]!.shape, t.dims);
          assert.ok(floats.some((t) => attr.values[t.name]!.data.some((v) => v !== 0)), 'all attributions are zero');
        });
      }
    });
  }
});
