import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeTaskWorkspace } from '../../../src/core/tasks/writeTaskWorkspace';
import { loadSpec } from '../../../src/core/data/loadSpec';
import { readArrays } from '../../../src/core/data/openDataset';
import { readModel } from '../../../src/core/onnx/readModel';
import { createSession, ort } from '../../../src/core/runtime/session';

const SMALL = { taskTrain: 12, taskValidation: 4, taskTest: 8, train: 10, validation: 4, test: 6 };

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sl-tasks-'));
}

describe('writeTaskWorkspace', () => {
  for (const task of ['inside-contact', 'agreement'] as const) {
    test(`writes a ${task} workspace whose spec loads and whose model runs on its data`, async () => {
      const dir = tmp();
      try {
        const ws = writeTaskWorkspace(dir, { task, seed: 3, sizes: SMALL });
        const spec = loadSpec(ws.spec);
        assert.equal(spec.head.type, 'odd-one-out');
        assert.deepEqual(
          Object.keys(spec.subroutines),
          task === 'agreement' ? ['subject-number', 'verb-number'] : ['inside', 'contact'],
        );
        const expected: Record<string, number> = {
          'task_train.npz': 12, 'task_val.npz': 4, 'task.npz': 8,
          'A_train.npz': 10, 'A_val.npz': 4, 'A_test.npz': 6, 'B_train.npz': 10, 'B_val.npz': 4, 'B_test.npz': 6,
        };
        assert.deepEqual(fs.readdirSync(path.join(dir, 'data')).sort(), Object.keys(expected).sort());
        for (const [file, n] of Object.entries(expected)) {
          const arrays = readArrays(path.join(dir, 'data', file));
          assert.deepEqual(Object.keys(arrays).sort(), ['labels', 'x'], file);
          assert.equal(arrays.labels!.dtype, 'int64');
          assert.deepEqual(arrays.labels!.shape, [n], file);
          assert.deepEqual(arrays.x!.shape.slice(0, 2), [n, 4], file);
        }
        const model = readModel(ws.model);
        const session = await createSession(model, { threads: 1 });
        const x = readArrays(ws.task.test).x!;
        const stim = x.shape.slice(2);
        const tensor = x.dtype === 'int64'
          ? new ort.Tensor('int64', x.data as BigInt64Array, [32, ...stim])
          : new ort.Tensor('float32', x.data as Float32Array, [32, ...stim]);
        const out = await session.run({ x: tensor });
        assert.deepEqual(out.z!.dims, [32, 32]);
        await session.release();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('the same seed writes byte-identical data and model, another seed different data', () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    try {
      writeTaskWorkspace(a, { task: 'number-contact', seed: 1, sizes: SMALL });
      writeTaskWorkspace(b, { task: 'number-contact', seed: 1, sizes: SMALL });
      writeTaskWorkspace(c, { task: 'number-contact', seed: 2, sizes: SMALL });
      for (const f of ['model.onnx', 'data/task.npz', 'data/A_train.npz', 'number-contact.subnet.json']) {
        assert.deepEqual(fs.readFileSync(path.join(a, f)), fs.readFileSync(path.join(b, f)), f);
      }
      assert.notDeepEqual(
        fs.readFileSync(path.join(a, 'data/task.npz')),
        fs.readFileSync(path.join(c, 'data/task.npz')),
      );
    } finally {
      for (const d of [a, b, c]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test('changing one set size leaves the other sets unchanged', () => {
    const [a, b] = [tmp(), tmp()];
    try {
      writeTaskWorkspace(a, { task: 'agreement', seed: 0, sizes: SMALL });
      writeTaskWorkspace(b, { task: 'agreement', seed: 0, sizes: { ...SMALL, taskTrain: 20 } });
      assert.deepEqual(
        fs.readFileSync(path.join(a, 'data/A_test.npz')),
        fs.readFileSync(path.join(b, 'data/A_test.npz')),
      );
      assert.notDeepEqual(
        fs.readFileSync(path.join(a, 'data/task_train.npz')),
        fs.readFileSync(path.join(b, 'data/task_train.npz')),
      );
    } finally {
      for (const d of [a, b]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test('zero validation sizes leave out the validation files and spec entries', () => {
    const dir = tmp();
    try {
      const ws = writeTaskWorkspace(dir, {
        task: 'inside-number', seed: 0, sizes: { ...SMALL, validation: 0, taskValidation: 0 },
      });
      const spec = JSON.parse(fs.readFileSync(ws.spec, 'utf8'));
      assert.equal(spec.subroutines.inside.validation, undefined);
      assert.ok(!fs.existsSync(path.join(dir, 'data/A_val.npz')));
      assert.ok(!fs.existsSync(path.join(dir, 'data/task_val.npz')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown task, a family mismatch and a bad size are refused before anything is written', () => {
    const dir = path.join(tmp(), 'ws');
    assert.throws(() => writeTaskWorkspace(dir, { task: 'colour' as 'agreement', seed: 0 }), /unknown task 'colour'/);
    assert.throws(() => writeTaskWorkspace(dir, { family: 'language', task: 'inside-contact', seed: 0 }),
      /belongs to family 'vision', not 'language'/);
    assert.throws(() => writeTaskWorkspace(dir, { task: 'agreement', seed: 0, sizes: { test: 2.5 } }),
      /size 'test' = 2.5/);
    assert.ok(!fs.existsSync(dir));
  });
});
