import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkDataset } from '../../../src/core/data/checkDataset';
import { openDataset } from '../../../src/core/data/openDataset';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { DataType } from '../../../src/core/onnx/ir';

const fx = (f: string) => path.join(__dirname, '../../fixtures/data', f);

describe('checkDataset', () => {
  test('accepts odd-one-out arrays of [problems, k, features] with labels below k', () => {
    const ds = openDataset(fx('stored.npz'));
    try {
      const r = checkDataset(ds, [{ input: 'input', array: 'x', elemType: DataType.FLOAT, shape: ['batch', 3] }],
        'labels', { type: 'odd-one-out', group: 2 });
      assert.deepEqual(r, { rows: 5, labelMin: 0, labelMax: 1 });
    } finally {
      ds.close();
    }
  });

  test('names file, array, expected and actual shape when the features do not fit the model', () => {
    const ds = openDataset(fx('stored.npz'));
    try {
      assert.throws(
        () => checkDataset(ds, [{ input: 'input', array: 'x', elemType: DataType.FLOAT, shape: [null, 4] }], 'labels',
          { type: 'odd-one-out', group: 2 }),
        (e: Error) => e.message.includes(
          "stored.npz: array 'x': shape [5, 2, 3] does not fit model input 'input' [?, 4]: expected [problems, 2, 4]"),
      );
      assert.throws(
        () => checkDataset(ds, [{ input: 'input', array: 'x', elemType: DataType.FLOAT, shape: [null, 2, 3] }],
          'labels', { type: 'odd-one-out', group: 4 }),
        /odd-one-out group size 4/,
      );
    } finally {
      ds.close();
    }
  });

  test('names the dtype mismatch with a hint for float64', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-check-'));
    const file = path.join(dir, 'd.npz');
    writeNpz(file, {
      x: { dtype: 'float64', shape: [2, 3], data: new Float64Array(6) },
      labels: { dtype: 'float32', shape: [2], data: new Float32Array(2) },
      y: { dtype: 'int64', shape: [3], data: new BigInt64Array([0n, 5n, 1n]) },
    });
    const ds = openDataset(file);
    try {
      const bind = [{ input: 'in', array: 'x', elemType: DataType.FLOAT, shape: [null, 3] }];
      assert.throws(() => checkDataset(ds, bind, 'labels', { type: 'classify' }), (e: Error) => e.message.includes(
        "d.npz: array 'x': dtype float64 does not match model input 'in' (float, expected float32) "
        + '(save with x.astype(np.float32))'));
      const ok = [{ input: 'in', array: 'x', elemType: DataType.DOUBLE, shape: [null, 3] }];
      assert.throws(() => checkDataset(ds, ok, 'labels', { type: 'classify' }),
        /array 'labels': labels must be integers, got float32/);
      assert.throws(() => checkDataset(ds, ok, 'y', { type: 'classify' }), /different numbers of rows: x: 2, y: 3/);
    } finally {
      ds.close();
    }
  });
});
