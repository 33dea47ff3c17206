import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openDataset, readArrays } from '../../../src/core/data/openDataset';
import { toNumbers, type NamedArray } from '../../../src/core/data/dtype';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { writeSafetensors } from '../../../src/core/data/writeSafetensors';
import { DataError } from '../../../src/core/data/errors';

const fx = (f: string) => path.join(__dirname, '../../fixtures/data', f);
const xValue = (r: number, s: number, f: number) => 100 * r + 10 * s + f;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sl-data-'));

function expectX(a: NamedArray, rows: number[]): void {
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.shape, [rows.length, 2, 3]);
  const want: number[] = [];
  for (const r of rows) for (let s = 0; s < 2; s++) for (let f = 0; f < 3; f++) want.push(xValue(r, s, f));
  assert.deepEqual(Array.from(a.data as Float32Array), want);
}

describe('openDataset', () => {
  for (const file of ['stored.npz', 'deflated.npz', 'tensors.safetensors']) {
    test(`reads arrays written by numpy from ${file}`, () => {
      const ds = openDataset(fx(file));
      try {
        assert.deepEqual(ds.infoOf('x'), { dtype: 'float32', shape: [5, 2, 3] });
        expectX(ds.read('x'), [0, 1, 2, 3, 4]);
        expectX(ds.read('x', 1, 3), [1, 2]);
        expectX(ds.take('x', [4, 0, 1, 1]), [4, 0, 1, 1]);
        // A reusable batch buffer is overwritten when it fits, and ignored when it does not.
        const buffer = new Float32Array(2 * 6).fill(NaN);
        const taken = ds.take('x', [3, 2], buffer);
        assert.equal(taken.data, buffer);
        expectX(taken, [3, 2]);
        assert.notEqual(ds.take('x', [3], buffer).data, buffer);
        assert.notEqual(ds.take('x', [3, 2], new Float64Array(12)).data.constructor, Float64Array);
        assert.deepEqual(toNumbers(ds.read('labels').data), [0, 1, 1, 0, 1]);
        assert.equal(ds.read('labels').data instanceof BigInt64Array, true);
        assert.equal(ds.rows(['x', 'labels']), 5);
      } finally {
        ds.close();
      }
    });
  }

  test('reads single .npy files of every supported dtype', () => {
    expectX(readArrays(fx('x.npy'))['x']!, [0, 1, 2, 3, 4]);
    const f64 = readArrays(fx('f64.npy'))['f64']!;
    assert.deepEqual([f64.dtype, f64.shape], ['float64', [2, 3]]);
    // numpy's linspace: i·step, end exact
    assert.deepEqual(Array.from(f64.data as Float64Array), [0, 1, 2, 3, 4].map((i) => i * 0.2).concat([1]));
    assert.deepEqual(toNumbers(readArrays(fx('i32.npy'))['i32']!.data), [-1, 2, -3]);
    const u8 = readArrays(fx('u8.npy'))['u8']!;
    assert.deepEqual([u8.dtype, u8.shape, Array.from(u8.data as Uint8Array)], ['uint8', [2, 2], [0, 1, 255, 7]]);
    const b = readArrays(fx('bool.npy'))['bool']!;
    assert.deepEqual([b.dtype, Array.from(b.data as Uint8Array)], ['bool', [1, 0, 1]]);
    const h = readArrays(fx('f16.npy'))['f16']!;
    assert.deepEqual([h.dtype, Array.from(h.data as Uint16Array)], ['float16', [0x3c00, 0xc000, 0x3800]]);
    const s = readArrays(fx('scalar.npy'))['scalar']!;
    assert.deepEqual([s.shape, Array.from(s.data as Float32Array)], [[], [3.5]]);
    assert.deepEqual(toNumbers(readArrays(fx('v2.npy'))['v2']!.data), [0, 1, 2, 3]);
  });

  test('reads a folder of .npy files as one dataset named by file stem', () => {
    const dir = tmp();
    fs.copyFileSync(fx('x.npy'), path.join(dir, 'x.npy'));
    fs.copyFileSync(fx('labels.npy'), path.join(dir, 'labels.npy'));
    const ds = openDataset(dir);
    try {
      assert.deepEqual(Object.keys(ds.arrays), ['labels', 'x']);
      expectX(ds.read('x', 3), [3, 4]);
    } finally {
      ds.close();
    }
  });

  test('refuses Fortran-order, big-endian, object and string arrays with the file named', () => {
    const cases: [string, RegExp][] = [
      ['fortran.npy', /Fortran-order/], ['bigendian.npy', /big-endian dtype '>f4'/],
      ['object.npy', /object arrays/], ['unicode.npy', /dtype '<U2' is not supported/],
    ];
    for (const [f, re] of cases) {
      assert.throws(() => openDataset(fx(f)), (e: unknown) =>
        e instanceof DataError && re.test(e.message) && e.message.includes(f), f);
    }
  });

  test('names the arrays a file has when one is missing', () => {
    const ds = openDataset(fx('stored.npz'));
    try {
      assert.throws(() => ds.read('input'), /stored\.npz: array 'input': no such array \(the file has: x, labels\)/);
    } finally {
      ds.close();
    }
  });

  test('reports a missing file, an unknown extension and a truncated file', () => {
    assert.throws(() => openDataset(fx('nope.npz')), /nope\.npz: file not found/);
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.csv'), 'x');
    assert.throws(() => openDataset(path.join(dir, 'a.csv')), /unsupported dataset extension '.csv'/);
    const bytes = fs.readFileSync(fx('x.npy'));
    fs.writeFileSync(path.join(dir, 'cut.npy'), bytes.subarray(0, bytes.length - 4));
    assert.throws(() => openDataset(path.join(dir, 'cut.npy')), /truncated/);
  });

  test('gives batches in the requested order with a smaller last batch', () => {
    const ds = openDataset(fx('stored.npz'));
    try {
      const batches = [...ds.batches(['x', 'labels'], 2, [3, 1, 4, 0, 2])];
      assert.deepEqual(batches.map((b) => b.indices), [[3, 1], [4, 0], [2]]);
      expectX(batches[1]!.arrays['x']!, [4, 0]);
      assert.deepEqual(toNumbers(batches[0]!.arrays['labels']!.data), [0, 1]);
    } finally {
      ds.close();
    }
  });

  test('reads rows of a large stored npz without reading the other rows (after one chunked CRC pass)', () => {
    const dir = tmp();
    const rows = 20000;
    const data = new Float32Array(rows * 8).map((_, i) => i);
    const file = path.join(dir, 'big.npz');
    writeNpz(file, { x: { dtype: 'float32', shape: [rows, 8], data } });
    const ds = openDataset(file);
    let largestRead = 0;
    // The module object itself (the namespace import is a read-only view of it).
    const realFs = require('node:fs') as typeof fs;
    const original = realFs.readSync;
    let bytesRead = 0;
    const spy = mock.method(realFs, 'readSync', function (this: unknown, ...a: unknown[]) {
      const n = (original as (...x: unknown[]) => number).apply(this, a);
      bytesRead += n;
      largestRead = Math.max(largestRead, n);
      return n;
    });
    try {
      // The first use checks the member's CRC-32 over all its bytes, in bounded chunks.
      ds.read('x', 0, 1);
      assert.ok(bytesRead >= rows * 8 * 4 && largestRead <= 1 << 16, `${bytesRead} bytes, largest read ${largestRead}`);
      bytesRead = 0;
      const part = ds.read('x', 12345, 12347);
      assert.deepEqual(Array.from(part.data as Float32Array).slice(0, 3), [12345 * 8, 12345 * 8 + 1, 12345 * 8 + 2]);
      assert.equal(bytesRead, 2 * 8 * 4);
    } finally {
      spy.mock.restore();
      ds.close();
    }
  });
});

describe('writeNpz and writeSafetensors', () => {
  const arrays: Record<string, NamedArray> = {
    w: { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    labels: { dtype: 'int64', shape: [2], data: new BigInt64Array([7n, -1n]) },
    m: { dtype: 'uint8', shape: [3], data: new Uint8Array([0, 1, 1]) },
  };

  for (const compress of [false, true]) {
    test(`round-trips a ${compress ? 'deflated' : 'stored'} npz`, () => {
      const file = path.join(tmp(), 'a.npz');
      writeNpz(file, arrays, { compress });
      const back = readArrays(file);
      assert.deepEqual(Object.keys(back).sort(), ['labels', 'm', 'w']);
      for (const k of Object.keys(arrays)) assert.deepEqual(back[k], arrays[k]);
    });
  }

  test('round-trips safetensors with metadata', () => {
    const file = path.join(tmp(), 'm.safetensors');
    writeSafetensors(file, arrays, { subroutine: 'A', seed: '0' });
    const ds = openDataset(file);
    try {
      assert.deepEqual(ds.metadata, { subroutine: 'A', seed: '0' });
      for (const k of Object.keys(arrays)) assert.deepEqual(ds.read(k), arrays[k]);
      const headerLen = Number(fs.readFileSync(file).readBigUInt64LE(0));
      assert.equal(headerLen % 8, 0);
    } finally {
      ds.close();
    }
  });

  const hasNumpy = (() => {
    try {
      execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const skip = hasNumpy ? false : 'python3 with numpy is not installed';
  test('writes npz files that numpy reads back', { skip }, () => {
    const dir = tmp();
    writeNpz(path.join(dir, 's.npz'), arrays);
    writeNpz(path.join(dir, 'd.npz'), arrays, { compress: true });
    const out = execFileSync('python3', ['-c', [
      'import numpy as np, json, sys',
      'r = {}',
      'for f in sys.argv[1:]:',
      '  z = np.load(f)',
      '  r[f[-5:]] = {k: [str(z[k].dtype), list(z[k].shape), z[k].ravel().tolist()] for k in z.files}',
      'print(json.dumps(r, sort_keys=True))',
    ].join('\n'), path.join(dir, 's.npz'), path.join(dir, 'd.npz')]).toString();
    const want = { labels: ['int64', [2], [7, -1]], m: ['uint8', [3], [0, 1, 1]],
      w: ['float32', [2, 3], [1, 2, 3, 4, 5, 6]] };
    assert.deepEqual(JSON.parse(out), { 's.npz': want, 'd.npz': want });
  });
});
