// Data files that lie about themselves: each is refused with one line naming the file and the array,
// and numpy (the format's reference reader) refuses the same bytes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { zipSync } from 'fflate';
import { openDataset, readArrays } from '../../../src/core/data/openDataset';
import { checkDataset } from '../../../src/core/data/checkDataset';
import { encodeNpy } from '../../../src/core/data/npyFormat';
import { encodeSafetensors } from '../../../src/core/data/writeSafetensors';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { crc32 } from '../../../src/core/data/crc32';
import { DataError } from '../../../src/core/data/errors';
import { DataType } from '../../../src/core/onnx/ir';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sl-hostile-'));
const PYTHON = '/usr/bin/python3';
const hasNumpy = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** What numpy says when loading every array of the file: 'ok' or the exception's class name. */
function numpyVerdict(file: string): string {
  const script = [
    'import numpy as np, sys', 'try:', '  d = np.load(sys.argv[1])', '  [d[k] for k in d.files]', '  print("ok")',
    'except Exception as e:', '  print(type(e).__name__)',
  ].join('\n');
  return execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }).trim();
}

/** A deflated npz whose x.npy header claims 999 rows over 256 rows of data. */
function lyingNpz(): Uint8Array {
  const npy = encodeNpy({ dtype: 'float32', shape: [999, 4], data: new Float32Array(256 * 4).map((_, i) => i) });
  return zipSync({ 'x.npy': npy }, { level: 6, mtime: new Date(1980, 0, 2) });
}

/** Rewrites the uncompressed size of the (single) member in both the local and the central header. */
function withDeclaredSize(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  const dv = new DataView(out.buffer);
  dv.setUint32(22, size, true);
  for (let p = out.length - 22; p >= 0; p--) {
    if (dv.getUint32(p, true) === 0x02014b50) { dv.setUint32(p + 24, size, true); break; }
  }
  return out;
}

function expectRefused(file: string, message: RegExp): void {
  assert.throws(
    () => readArrays(file),
    (e: unknown) => e instanceof DataError && message.test(e.message) && !e.message.includes('\n'),
  );
}

describe('data files that lie', () => {
  test('a deflated member whose header claims 999 rows but holds 256 is refused, as numpy refuses it', () => {
    const dir = tmp();
    const honestZip = path.join(dir, 'honest-zip.npz');
    const lyingZip = path.join(dir, 'lying-zip.npz');
    fs.writeFileSync(honestZip, lyingNpz());
    // The zip entry too claims the length 999 rows need (the case that used to train on zero-filled rows).
    fs.writeFileSync(lyingZip, withDeclaredSize(lyingNpz(), 128 + 999 * 16));
    expectRefused(
      honestZip,
      /honest-zip\.npz: array 'x': file is truncated: shape \[999, 4\] float32 needs 15984 bytes/,
    );
    expectRefused(
      lyingZip,
      /lying-zip\.npz: array 'x': member 'x\.npy' inflates to 4224 bytes but its zip entry declares 16112/,
    );
    if (hasNumpy) for (const f of [honestZip, lyingZip]) assert.notEqual(numpyVerdict(f), 'ok', f);
  });

  test('a member whose bytes fail the CRC-32 is refused (stored and deflated), as numpy refuses it', () => {
    const dir = tmp();
    const x = { dtype: 'float32' as const, shape: [64, 4], data: new Float32Array(256).map((_, i) => i) };
    for (const compress of [false, true]) {
      const file = path.join(dir, `crc-${compress}.npz`);
      writeNpz(file, { x }, { compress });
      const bytes = fs.readFileSync(file);
      // Flip one bit in the stored CRC field of the central directory.
      for (let p = bytes.length - 22; p >= 0; p--) {
        if (bytes.readUInt32LE(p) === 0x02014b50) { bytes[p + 16]! ^= 1; break; }
      }
      fs.writeFileSync(file, bytes);
      expectRefused(file, /array 'x': member 'x\.npy' fails its CRC-32 check/);
      if (hasNumpy) assert.notEqual(numpyVerdict(file), 'ok');
    }
  });

  test('a zip entry claiming more than deflate can produce is refused before anything is inflated', () => {
    const file = path.join(tmp(), 'ratio.npz');
    fs.writeFileSync(file, withDeclaredSize(lyingNpz(), 0xfffffff0));
    expectRefused(file, /declares 4294967280 bytes from \d+ compressed bytes, more than deflate can produce/);
  });

  test('a member inflating to 96 MiB is streamed to disk: memory stays far below its size', async () => {
    const dir = tmp();
    const file = path.join(dir, 'bomb.npz');
    const rows = 3 << 19; // 1.5 Mi rows × 16 float32 = 96 MiB of zeros, a ~100 KiB archive
    const npyHead = encodeNpy({ dtype: 'float32', shape: [rows, 16], data: new Float32Array(0) });
    const chunk = new Uint8Array(1 << 22);
    const deflater = zlib.createDeflateRaw({ level: 9 });
    const parts: Buffer[] = [];
    deflater.on('data', (b: Buffer) => parts.push(b));
    const done = new Promise((resolve) => deflater.on('end', resolve));
    let crc = crc32(npyHead);
    deflater.write(npyHead);
    for (let i = 0; i < 24; i++) { deflater.write(chunk); crc = crc32(chunk, crc); }
    deflater.end();
    await done;
    const size = npyHead.length + 24 * chunk.length;
    fs.writeFileSync(file, storedAsDeflated(Buffer.concat(parts), size, crc));
    assert.ok(fs.statSync(file).size < 2 << 20);
    const before = process.memoryUsage().rss;
    const ds = openDataset(file);
    try {
      // The first read inflates the whole member (checking its length and CRC-32), then reads two rows.
      const tail = ds.read('x', rows - 2, rows);
      assert.deepEqual([tail.shape, Array.from(tail.data as Float32Array).every((v) => v === 0)], [[2, 16], true]);
    } finally {
      ds.close();
    }
    const grown = process.memoryUsage().rss - before;
    // Inflating into memory cost two copies (180 MiB); streamed, it stays below one, with room for the
    // garbage of the tests before it that a loaded machine's GC has not collected yet.
    assert.ok(grown < 96 * 2 ** 20, `RSS grew by ${(grown / 2 ** 20).toFixed(0)} MiB while reading a 96 MiB member`);
  });

  test('safetensors whose offsets, shapes or header lie are refused', () => {
    const dir = tmp();
    const valid = encodeSafetensors({
      a: { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) },
      b: { dtype: 'float32', shape: [4], data: new Float32Array(4) },
    });
    const headerLength = Number(new DataView(valid.buffer).getBigUint64(0, true));
    type Entry = { data_offsets: number[]; shape: number[] };
    const header = JSON.parse(new TextDecoder().decode(valid.subarray(8, 8 + headerLength))) as Record<string, Entry>;
    const withHeader = (edit: (h: typeof header) => void) => {
      const h = structuredClone(header);
      edit(h);
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + valid.length - 8 - headerLength);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      out.set(valid.subarray(8 + headerLength), 8 + json.length);
      return out;
    };
    const cases: [string, (h: typeof header) => void, RegExp][] = [
      [
        'negative offsets reaching into the header',
        (h) => { h.a!.data_offsets = [-16, 0]; },
        /array 'a': data_offsets \[-16,0\] is not a pair of non-negative integers/,
      ],
      [
        'fractional offsets',
        (h) => { h.a!.data_offsets = [0.5, 16.5]; },
        /array 'a': data_offsets \[0\.5,16\.5\] is not a pair/,
      ],
      [
        'overlapping tensors',
        (h) => { h.b!.data_offsets = [8, 24]; },
        /array 'b': data_offsets \[8, 24\] overlap the previous tensor/,
      ],
      [
        'offsets past the data area',
        (h) => { h.b!.data_offsets = [16, 32]; h.a!.data_offsets = [32, 48]; },
        /array 'a': data_offsets \[32, 48\] reach past the data area \(32 bytes\)/,
      ],
      [
        'a fractional shape',
        (h) => { h.b!.shape = [4.5]; },
        /array 'b': shape \[4\.5\] is not a list of non-negative integers/,
      ],
      [
        'a shape that does not match the byte count',
        (h) => { h.b!.shape = [3]; },
        /array 'b': data_offsets \[16, 32\] hold 16 bytes but shape \[3\] float32 needs 12/,
      ],
    ];
    for (const [title, edit, message] of cases) {
      const file = path.join(dir, 'edited.safetensors');
      fs.writeFileSync(file, withHeader(edit));
      assert.throws(() => readArrays(file), (e: unknown) => e instanceof DataError && message.test(e.message), title);
    }
  });

  test('npy shapes must be plain non-negative integers', () => {
    const file = path.join(tmp(), 'x.npy');
    const npy = Buffer.from(encodeNpy({ dtype: 'float32', shape: [1000], data: new Float32Array(1000) }));
    fs.writeFileSync(
      file,
      Buffer.from(npy.toString('latin1').replace('(1000,)', '(1e3,) ').replace(/ \n$/, '\n'), 'latin1'),
    );
    expectRefused(file, /array 'x': bad shape \(1e3,\)/);
  });
});

describe('dataset values are checked before training', () => {
  const bind = [{ input: 'in', array: 'x', elemType: DataType.FLOAT, shape: [null, 3] }];
  const labels = (values: number[]) => ({
    dtype: 'int64' as const, shape: [values.length], data: BigInt64Array.from(values.map(BigInt)),
  });

  test('a NaN or infinite input value is named by file, array and row', () => {
    const dir = tmp();
    for (const [bad, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity']] as const) {
      const file = path.join(dir, 'test.npz');
      const x = new Float32Array(30);
      x[7 * 3 + 2] = bad;
      writeNpz(
        file,
        { x: { dtype: 'float32', shape: [10, 3], data: x }, labels: labels(new Array(10).fill(0)) },
        { compress: true },
      );
      const ds = openDataset(file);
      try {
        assert.throws(
          () => checkDataset(ds, bind, 'labels', { type: 'classify' }),
          new RegExp(`test\\.npz: array 'x': row 7: value ${shown} is not finite`),
        );
      } finally {
        ds.close();
      }
    }
  });

  test('a label outside the model\'s classes is named by file, array and row', () => {
    const file = path.join(tmp(), 'train.npz');
    writeNpz(
      file,
      { x: { dtype: 'float32', shape: [6, 3], data: new Float32Array(18) }, labels: labels([0, 1, 2, 1, 3, 0]) },
    );
    const ds = openDataset(file);
    try {
      assert.equal(checkDataset(ds, bind, 'labels', { type: 'classify' }, { classes: 4 }).labelMax, 3);
      assert.throws(
        () => checkDataset(ds, bind, 'labels', { type: 'classify' }, { classes: 3 }),
        /train\.npz: array 'labels': row 4: label 3 is not in 0\.\.2 \(the model's 3 classes\)/,
      );
    } finally {
      ds.close();
    }
  });
});

/** A one-member zip (x.npy, deflated) around an existing raw deflate stream. */
function storedAsDeflated(deflated: Uint8Array, size: number, crc: number): Uint8Array {
  const name = Buffer.from('x.npy');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14); local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(size, 22); local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16); central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(size, 24); central.writeUInt16LE(name.length, 28);
  const cdOffset = 30 + name.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12); end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, deflated, central, name, end]);
}
