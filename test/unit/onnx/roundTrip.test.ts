import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema, FunctionProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema, TensorProtoSchema, TensorShapeProto_DimensionSchema, TensorShapeProtoSchema,
  TypeProto_TensorSchema, TypeProtoSchema, ValueInfoProtoSchema, type ModelProto,
} from 'onnx-buf';
import { decodeModel, readModel } from '../../../src/core/onnx/readModel';
import { encodeModel, writeModel } from '../../../src/core/onnx/writeModel';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { DataType } from '../../../src/core/onnx/ir';
import { OnnxFormatError } from '../../../src/core/onnx/errors';

const meta = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
const le = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

function valueInfo(name: string, dims: (number | string)[]) {
  return create(ValueInfoProtoSchema, {
    name,
    docString: `value ${name}`,
    metadataProps: [meta('role', name)],
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: DataType.FLOAT,
          shape: create(TensorShapeProtoSchema, {
            dim: dims.map((d) => create(TensorShape_Dim, {
              value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
            })),
          }),
        }),
      },
    }),
  });
}
const TensorShape_Dim = TensorShapeProto_DimensionSchema;

/** A model using fields onnx-proto (ONNX 1.10 schemas) drops: overload, metadata_props everywhere, functions. */
function newerFieldsModel(): ModelProto {
  const weight = create(TensorProtoSchema, {
    name: 'W', dataType: DataType.FLOAT, dims: [2n, 2n], rawData: le([1, -2, 3.5, 0.25]),
    docString: 'the weight', metadataProps: [meta('origin', 'init')],
  });
  const fn = create(FunctionProtoSchema, {
    name: 'ScaledRelu', domain: 'custom.fn', overload: 'v2', input: ['X'], output: ['Y'], docString: 'relu times two',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 18n })],
    metadataProps: [meta('fn', 'meta')],
    node: [
      create(NodeProtoSchema, { opType: 'Relu', input: ['X'], output: ['R'], name: 'fn/relu' }),
      create(NodeProtoSchema, { opType: 'Add', input: ['R', 'R'], output: ['Y'], name: 'fn/add' }),
    ],
  });
  const graph = create(GraphProtoSchema, {
    name: 'g', docString: 'graph doc', metadataProps: [meta('graph', 'yes')],
    input: [valueInfo('x', ['batch', 2])],
    output: [valueInfo('y', ['batch', 2])],
    valueInfo: [valueInfo('h', ['batch', 2])],
    initializer: [weight],
    node: [
      create(NodeProtoSchema, {
        name: 'layer/matmul', opType: 'MatMul', input: ['x', 'W'], output: ['h'], docString: 'node doc',
        metadataProps: [meta('node', 'm')],
      }),
      create(NodeProtoSchema, {
        name: 'layer/act', opType: 'ScaledRelu', domain: 'custom.fn', overload: 'v2', input: ['h'], output: ['y'],
        attribute: [create(AttributeProtoSchema,
          { name: 'note', type: 3, s: new TextEncoder().encode('hi'), docString: 'attr doc' })],
      }),
    ],
  });
  return create(ModelProtoSchema, {
    irVersion: 10n, producerName: 'test', producerVersion: '1.2.3', domain: 'example.test', modelVersion: 7n,
    docString: 'model doc',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 18n }),
      create(OperatorSetIdProtoSchema, { domain: 'custom.fn', version: 1n })],
    metadataProps: [meta('author', 'someone'), meta('license', 'MIT')],
    functions: [fn], graph,
  });
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'snl-onnx-'));
}

describe('ONNX round trip', () => {
  test('preserves every field of a model with overload, metadata_props, doc strings and functions', () => {
    const original = newerFieldsModel();
    const model = decodeModel(toBinary(ModelProtoSchema, original), { file: 'm.onnx' });
    const again = fromBinary(ModelProtoSchema, encodeModel(model).model);
    assert.ok(equals(ModelProtoSchema, original, again), 'decoded protos differ after the round trip');
    assert.equal(again.graph?.node[1]?.overload, 'v2');
    assert.equal(again.functions[0]?.overload, 'v2');
    assert.equal(again.graph?.initializer[0]?.metadataProps[0]?.value, 'init');
  });

  test('a model written by onnxruntime-compatible code runs the same after the round trip', () => {
    const original = newerFieldsModel();
    const once = encodeModel(decodeModel(toBinary(ModelProtoSchema, original))).model;
    const twice = encodeModel(decodeModel(once)).model;
    assert.deepEqual(Buffer.from(twice), Buffer.from(once));
  });

  test('keeps the IR edits made between reading and writing', () => {
    const model = decodeModel(toBinary(ModelProtoSchema, newerFieldsModel()));
    const w = model.graph.initializers.get('W')!;
    (w.data as Float32Array)[0] = 42;
    model.graph.nodes[0]!.name = 'renamed';
    const back = decodeModel(encodeModel(model).model);
    assert.equal((back.graph.initializers.get('W')!.data as Float32Array)[0], 42);
    assert.equal(back.graph.nodes[0]!.name, 'renamed');
    assert.equal(back.graph.nodes[0]!.proto?.docString, 'node doc');
  });
});

describe('tensor decoding', () => {
  test('reads int64 initializers as BigInt64Array', () => {
    const model = makeModel({
      inputs: [{ name: 'x', shape: [3] }], outputs: [{ name: 'y' }],
      initializers: [makeTensor('idx', DataType.INT64, [3], [-5n, 0n, 9007199254740993n])],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    });
    const t = decodeModel(encodeModel(model).model).graph.initializers.get('idx')!;
    assert.ok(t.data instanceof BigInt64Array);
    assert.deepEqual([...(t.data as BigInt64Array)], [-5n, 0n, 9007199254740993n]);
  });

  test('copies raw_data that sits at an odd offset into a fresh aligned array', () => {
    const values = [0.5, -1.25, 3, 1e-7, -0, 65504];
    let oddSeen = false;
    for (const name of ['a', 'ab', 'abc', 'abcd']) {
      const model = makeModel({
        inputs: [{ name: 'x', shape: [6] }], outputs: [{ name: 'y' }],
        initializers: [makeTensor(name, DataType.FLOAT, [6], values)],
        nodes: [{ op: 'Add', inputs: ['x', name], outputs: ['y'] }],
      });
      const bytes = encodeModel(model).model;
      const decoded = decodeModel(bytes);
      const t = decoded.graph.initializers.get(name)!;
      // Where the bytes sit in the file (the decoded model's protos are copies that no longer point into it).
      const raw = fromBinary(ModelProtoSchema, bytes).graph!.initializer[0]!.rawData;
      if (raw.byteOffset % 4 !== 0) oddSeen = true;
      assert.ok(t.data instanceof Float32Array);
      assert.notEqual((t.data as Float32Array).buffer, bytes.buffer, 'tensor data must not alias the file buffer');
      assert.deepEqual([...(t.data as Float32Array)], values.map((v) => Math.fround(v)));
    }
    assert.ok(oddSeen, 'no case put raw_data at an unaligned offset; the test did not exercise the copy');
  });

  test('reads float_data, int64_data and int32_data encoded tensors', () => {
    const graph = create(GraphProtoSchema, {
      name: 'g',
      input: [valueInfo('x', [2])], output: [valueInfo('y', [2])],
      initializer: [
        create(TensorProtoSchema, { name: 'f', dataType: DataType.FLOAT, dims: [2n], floatData: [1.5, -2] }),
        create(TensorProtoSchema, { name: 'd', dataType: DataType.DOUBLE, dims: [2n], doubleData: [0.1, 0.2] }),
        create(TensorProtoSchema, { name: 'i', dataType: DataType.INT64, dims: [2n], int64Data: [7n, -8n] }),
        create(TensorProtoSchema, { name: 'b', dataType: DataType.BOOL, dims: [3n], int32Data: [1, 0, 1] }),
      ],
      node: [create(NodeProtoSchema, { name: 'n', opType: 'Add', input: ['x', 'f'], output: ['y'] })],
    });
    const proto = create(ModelProtoSchema,
      { irVersion: 9n, opsetImport: [create(OperatorSetIdProtoSchema, { version: 18n })], graph });
    const model = decodeModel(toBinary(ModelProtoSchema, proto));
    const inits = model.graph.initializers;
    assert.deepEqual([...(inits.get('f')!.data as Float32Array)], [1.5, -2]);
    assert.deepEqual([...(inits.get('d')!.data as Float64Array)], [0.1, 0.2]);
    assert.deepEqual([...(inits.get('i')!.data as BigInt64Array)], [7n, -8n]);
    assert.deepEqual([...(inits.get('b')!.data as Uint8Array)], [1, 0, 1]);
    // Written back as raw_data, the values stay the same.
    const back = decodeModel(encodeModel(model).model).graph.initializers;
    assert.deepEqual([...(back.get('f')!.data as Float32Array)], [1.5, -2]);
    assert.deepEqual([...(back.get('i')!.data as BigInt64Array)], [7n, -8n]);
  });
});

describe('external data', () => {
  function bigModel() {
    return makeModel({
      inputs: [{ name: 'x', shape: [1, 64] }], outputs: [{ name: 'y' }],
      initializers: [
        makeTensor('W', DataType.FLOAT, [64, 32], Array.from({ length: 2048 }, (_, i) => Math.sin(i))),
        makeTensor('b', DataType.FLOAT, [32], Array.from({ length: 32 }, (_, i) => i / 10)),
        makeTensor('steps', DataType.INT64, [300], Array.from({ length: 300 }, (_, i) => BigInt(i * 1000003))),
      ],
      nodes: [{ op: 'Gemm', inputs: ['x', 'W', 'b'], outputs: ['y'] }],
    });
  }

  test('writes large initializers to a side file and reads identical values back', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'm.onnx');
    const model = bigModel();
    writeModel(file, model, { externalData: { location: 'm.weights', threshold: 1024 } });
    assert.ok(fs.existsSync(path.join(dir, 'm.weights')));
    assert.ok(fs.statSync(file).size < 1024, 'the weights should not be inside the model file');
    const back = readModel(file);
    for (const [name, t] of model.graph.initializers) {
      const got = back.graph.initializers.get(name)!;
      assert.deepEqual(got.dims, t.dims);
      assert.deepEqual([...(got.data as Float32Array | BigInt64Array)],
        [...(t.data as Float32Array | BigInt64Array)], name);
    }
    assert.equal(back.graph.initializers.get('W')!.external?.location, 'm.weights');
    assert.equal(back.graph.initializers.get('b')!.external, undefined, 'small tensors stay inline');
    fs.rmSync(dir, { recursive: true });
  });

  function withLocation(location: string): Uint8Array {
    const dir = tmpDir();
    const file = path.join(dir, 'm.onnx');
    writeModel(file, bigModel(), { externalData: { location: 'w.bin' } });
    const proto = fromBinary(ModelProtoSchema, fs.readFileSync(file));
    for (const t of proto.graph!.initializer) for (const e of t.externalData)
      if (e.key === 'location') e.value = location;
    fs.rmSync(dir, { recursive: true });
    return toBinary(ModelProtoSchema, proto);
  }

  for (const location of ['../x.bin', '/etc/passwd', 'sub/../../x.bin']) {
    test(`rejects the side-file location '${location}' that leaves the model's folder`, () => {
      const dir = tmpDir();
      const file = path.join(dir, 'm.onnx');
      fs.writeFileSync(file, withLocation(location));
      fs.writeFileSync(path.join(path.dirname(dir), 'x.bin'), new Uint8Array(9000));
      assert.throws(() => readModel(file), (e: unknown) => e instanceof OnnxFormatError
        && /points outside the model's folder/.test(e.message) && e.message.includes(file));
      fs.rmSync(dir, { recursive: true });
      fs.rmSync(path.join(path.dirname(dir), 'x.bin'));
    });
  }

  test('rejects a symbolic link inside the folder that leads outside it', () => {
    const dir = tmpDir();
    const outside = tmpDir();
    fs.writeFileSync(path.join(outside, 'secret.bin'), new Uint8Array(9000));
    fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(dir, 'link.bin'));
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, withLocation('link.bin'));
    assert.throws(() => readModel(file), /links to a file outside the model's folder/);
    fs.rmSync(dir, { recursive: true });
    fs.rmSync(outside, { recursive: true });
  });

  test('reports a missing side file by name', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, withLocation('gone.bin'));
    assert.throws(() => readModel(file), (e: unknown) =>
      e instanceof OnnxFormatError && e.message.startsWith(`${file}: external data file 'gone.bin' is missing`));
    fs.rmSync(dir, { recursive: true });
  });

  test('reports a side file too short for the offsets it should hold', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'm.onnx');
    writeModel(file, bigModel(), { externalData: { location: 'w.bin' } });
    fs.truncateSync(path.join(dir, 'w.bin'), 100);
    assert.throws(() => readModel(file), /external data file 'w.bin' is 100 bytes, too short/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('ONNX round trip of unnamed nodes', () => {
  test('gives unnamed nodes a name in the IR but does not write it back', () => {
    const graph = create(GraphProtoSchema, {
      name: 'g', input: [valueInfo('x', [2])], output: [valueInfo('y', [2])],
      node: [create(NodeProtoSchema, { opType: 'Relu', input: ['x'], output: ['y'] })],
    });
    const proto = create(ModelProtoSchema,
      { irVersion: 9n, opsetImport: [create(OperatorSetIdProtoSchema, { version: 18n })], graph });
    const model = decodeModel(toBinary(ModelProtoSchema, proto));
    assert.equal(model.graph.nodes[0]!.name, 'Relu_0');
    assert.ok(equals(ModelProtoSchema, proto, fromBinary(ModelProtoSchema, encodeModel(model).model)));
  });
});
