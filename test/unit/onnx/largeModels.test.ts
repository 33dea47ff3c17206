// Models with large weights are read and run without holding their weights twice: readModel reads each
// large initializer once, straight into its own array, and sessions map large initializers from a file.
import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeModel, readModel } from '../../../src/core/onnx/readModel';
import { encodeModel, writeModel } from '../../../src/core/onnx/writeModel';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { createSession, ort } from '../../../src/core/runtime/session';
import { DataType } from '../../../src/core/onnx/ir';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sl-large-'));

function model(rows: number, width: number) {
  const table = new Float32Array(rows * width).map((_, i) => (i % 977) / 977);
  return makeModel({
    inputs: [{ name: 'ids', shape: ['N'], elemType: DataType.INT64 }], outputs: [{ name: 'y', shape: ['N', 2] }],
    nodes: [
      { op: 'Gather', inputs: ['table', 'ids'], outputs: ['e'] },
      { op: 'MatMul', inputs: ['e', 'proj'], outputs: ['p'] },
      { op: 'Add', inputs: ['p', 'bias'], outputs: ['y'] },
    ],
    initializers: [
      makeTensor('bias', DataType.FLOAT, [2], [0.25, -0.5]),
      makeTensor('table', DataType.FLOAT, [rows, width], table),
      makeTensor('proj', DataType.FLOAT, [width, 2], Array.from({ length: width * 2 }, (_, i) => (i % 7) - 3)),
    ],
  });
}

/** Resident anonymous memory (not file-backed pages) in bytes; undefined off Linux. */
function rssAnon(): number | undefined {
  try {
    return Number(/RssAnon:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  } catch {
    return undefined;
  }
}

describe('large models', () => {
  test('readModel reads large initializers once, never the whole file, and decodes what decodeModel does', () => {
    const file = path.join(tmp(), 'm.onnx');
    writeModel(file, model(512, 64));
    const realFs = require('node:fs') as typeof fs;
    const readFile = mock.method(realFs, 'readFileSync');
    const original = realFs.readSync;
    let bytesRead = 0;
    const readSync = mock.method(realFs, 'readSync', function (this: unknown, ...a: unknown[]) {
      const n = (original as (...x: unknown[]) => number).apply(this, a);
      bytesRead += n;
      return n;
    });
    let viaFile;
    try {
      viaFile = readModel(file);
    } finally {
      readFile.mock.restore();
      readSync.mock.restore();
    }
    assert.equal(readFile.mock.calls.filter((c) => c.arguments[0] === file).length, 0, 'the whole file was read');
    assert.ok(
      bytesRead < fs.statSync(file).size + 2 * 65536,
      `${bytesRead} bytes read for a ${fs.statSync(file).size}-byte file`,
    );
    const viaBytes = decodeModel(fs.readFileSync(file));
    for (const [name, t] of viaBytes.graph.initializers) {
      assert.deepEqual(viaFile.graph.initializers.get(name)!.data, t.data, name);
    }
    assert.deepEqual(encodeModel(viaFile).model, encodeModel(viaBytes).model);
  });

  const skip = rssAnon() === undefined ? 'needs /proc/self/status' : false;
  test('a session over a 32 MB weight costs far less than a copy, answering as onnxruntime', { skip }, async () => {
    const dir = tmp();
    const m = model(8192, 1024); // 32 MiB table
    const file = path.join(dir, 'm.onnx');
    writeModel(file, m);
    const ids = new ort.Tensor('int64', BigInt64Array.from([0n, 4097n, 8191n]), [3]);
    const reference = await ort.InferenceSession.create(file);
    const want = (await reference.run({ ids })).y!.data as Float32Array;
    await reference.release();
    const read = readModel(file);
    // A private temporary folder (os.tmpdir() follows TMPDIR): parallel test files cannot add to it.
    const privateTmp = tmp();
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    const before = rssAnon()!;
    let session;
    try {
      session = await createSession(read, { threads: 1 });
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    const grown = rssAnon()! - before;
    try {
      assert.deepEqual((await session.run({ ids })).y!.data, want);
    } finally {
      await session.release();
    }
    assert.ok(
      grown < 12 * 2 ** 20,
      `creating the session grew anonymous memory by ${(grown / 2 ** 20).toFixed(1)} MiB`,
    );
    assert.deepEqual(fs.readdirSync(privateTmp), [], 'the temporary folder was left behind');
  });
});
