import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readModel } from '../../../src/core/onnx/readModel';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { DataType } from '../../../src/core/onnx/ir';
import { OnnxFormatError } from '../../../src/core/onnx/errors';

function validModel(opts: { irVersion?: number; opset?: number } = {}): Uint8Array {
  return encodeModel(makeModel({
    ...opts,
    inputs: [{ name: 'x', shape: [1, 8] }], outputs: [{ name: 'y' }],
    initializers: [makeTensor('W', DataType.FLOAT, [8, 8], Array.from({ length: 64 }, (_, i) => i / 64))],
    nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'], name: 'layer/mm' }],
  })).model;
}

function seededBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; out[i] = s >>> 24; }
  return out;
}

const cases: { title: string; bytes: () => Uint8Array; message: RegExp }[] = [
  { title: 'an empty file', bytes: () => new Uint8Array(0), message: /the file is empty/ },
  { title: 'a text file', bytes: () => new TextEncoder().encode('hello, this is not a model\n'),
    message: /a text file \(it starts with 'hello, this is not a mod'\)/ },
  { title: 'JSON renamed to .onnx', bytes: () =>
    new TextEncoder().encode(JSON.stringify({ graph: { node: [] }, ir_version: 8 })), message: /a JSON file/ },
  { title: 'a zip archive such as a PyTorch checkpoint', bytes: () =>
    Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]), message: /a zip archive/ },
  { title: 'a NumPy array', bytes: () => Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0]),
    message: /a NumPy \.npy array/ },
  { title: 'a model truncated in the middle',
    bytes: () => validModel().subarray(0, Math.floor(validModel().length / 2)),
    message: /(not a valid ONNX protobuf|field is missing)/ },
  { title: 'a model with its last byte cut', bytes: () => validModel().subarray(0, validModel().length - 1),
    message: /(not a valid ONNX protobuf|field is missing)/ },
  { title: 'random bytes', bytes: () => seededBytes(4096, 7),
    message: /(not a valid ONNX protobuf|not an ONNX model)/ },
  { title: 'random bytes behind a valid ir_version field', bytes: () =>
    Uint8Array.from([0x08, 0x08, ...seededBytes(500, 99)]), message: /(not a valid ONNX protobuf|not an ONNX model)/ },
  { title: 'an IR version newer than onnxruntime supports', bytes: () => validModel({ irVersion: 14 }),
    message: /IR version 14 is newer than onnxruntime supports \(at most 13\)/ },
  { title: 'an IR version older than onnxruntime supports', bytes: () => validModel({ irVersion: 2 }),
    message: /IR version 2 is older/ },
  { title: 'an opset newer than onnxruntime supports', bytes: () => validModel({ opset: 99 }),
    message: /opset 99 is newer than onnxruntime supports \(at most 26\)/ },
  { title: 'an opset older than onnxruntime supports', bytes: () => validModel({ opset: 5 }),
    message: /opset 5 is older/ },
];

describe('readModel on bad input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snl-bad-'));
  for (const c of cases) {
    test(`rejects ${c.title} with one line naming the file`, () => {
      const file = path.join(dir, 'model.onnx');
      fs.writeFileSync(file, c.bytes());
      assert.throws(() => readModel(file), (e: unknown) => {
        assert.ok(e instanceof OnnxFormatError,
          `expected OnnxFormatError, got ${(e as Error).name}: ${(e as Error).message}`);
        assert.equal(e.file, file);
        assert.ok(e.message.startsWith(`${file}: `), e.message);
        assert.match(e.message, c.message);
        assert.ok(!e.message.includes('\n'), 'message must be a single line');
        return true;
      });
    });
  }

  test('rejects a missing file and a folder, naming them', () => {
    assert.throws(() => readModel(path.join(dir, 'nope.onnx')), /nope\.onnx: file not found/);
    assert.throws(() => readModel(dir), /is a folder, not a model file/);
  });

  test('rejects any prefix of a valid model without crashing', () => {
    const bytes = validModel();
    const file = path.join(dir, 'prefix.onnx');
    for (let n = 1; n < bytes.length; n += 7) {
      fs.writeFileSync(file, bytes.subarray(0, n));
      try {
        readModel(file);
      } catch (e) {
        assert.ok(e instanceof OnnxFormatError,
          `prefix of ${n} bytes threw ${(e as Error).name}: ${(e as Error).message}`);
        continue;
      }
      // A prefix that still decodes must at least be a whole model (cut exactly between top-level fields).
    }
  });

  test('accepts the valid model these cases start from', () => {
    const file = path.join(dir, 'ok.onnx');
    fs.writeFileSync(file, validModel());
    assert.equal(readModel(file).graph.nodes[0]!.opType, 'MatMul');
  });
});
