// ModelProto bytes -> Model IR. Every failure is an OnnxFormatError naming the file and the problem.
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type AttributeProto, type GraphProto, type ModelProto, type TensorProto, type ValueInfoProto } from 'onnx-buf';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OnnxFormatError } from './errors';
import type { AttributeValue, Dim, Graph, Model, Node, Tensor, ValueInfo } from './ir';
import { decodeTensor } from './tensorCodec';

/** Highest versions onnxruntime-node 1.30 accepts. */
export const MAX_IR_VERSION = 13;
export const MAX_DEFAULT_OPSET = 26;

/** Supplies the bytes of an external-data side file; `location` is relative to the model's folder. */
export type ExternalDataLoader = (location: string, offset: number, length: number | undefined) => Uint8Array;

export interface DecodeOptions {
  /** Name used in error messages. */
  file?: string;
  loadExternal?: ExternalDataLoader;
}

export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  const file = options.file;
  if (bytes.byteLength === 0) throw new OnnxFormatError('the file is empty', file);
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    throw new OnnxFormatError('this is a JSON file, not an ONNX model (ONNX models are binary protobuf)', file);
  }
  let proto: ModelProto;
  try {
    proto = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new OnnxFormatError(`not a valid ONNX protobuf (${(e as Error).message}); the file may be truncated or not an ONNX model`, file);
  }
  if (!proto.graph || proto.irVersion === 0n || proto.opsetImport.length === 0) {
    const missing = !proto.graph ? 'graph' : proto.irVersion === 0n ? 'ir_version' : 'opset_import';
    throw new OnnxFormatError(`not an ONNX model: the '${missing}' field is missing (the file may be truncated or another format)`, file);
  }
  const irVersion = Number(proto.irVersion);
  if (irVersion > MAX_IR_VERSION) {
    throw new OnnxFormatError(`IR version ${irVersion} is newer than onnxruntime supports (at most ${MAX_IR_VERSION})`, file);
  }
  const opsetImports = proto.opsetImport.map((o) => ({ domain: o.domain, version: Number(o.version) }));
  const opset = opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (opset && opset.version > MAX_DEFAULT_OPSET) {
    throw new OnnxFormatError(`opset ${opset.version} is newer than onnxruntime supports (at most ${MAX_DEFAULT_OPSET})`, file);
  }
  const ctx: Ctx = { file, loadExternal: options.loadExternal };
  return { irVersion, opsetImports, producerName: proto.producerName, graph: decodeGraph(proto.graph, ctx), proto };
}

/** Reads a model file; external-data side files must stay inside the model's folder. */
export function readModel(file: string): Model {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OnnxFormatError(code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a model file' : `cannot read (${code ?? (e as Error).message})`, file);
  }
  return decodeModel(bytes, { file, loadExternal: externalFileLoader(file) });
}

export function externalFileLoader(modelFile: string): ExternalDataLoader {
  const dir = path.dirname(path.resolve(modelFile));
  return (location, offset, length) => {
    const side = path.resolve(dir, location);
    const rel = path.relative(dir, side);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new OnnxFormatError(`external data location '${location}' points outside the model's folder`, modelFile);
    }
    let fd: number;
    try {
      fd = fs.openSync(side, 'r');
    } catch {
      throw new OnnxFormatError(`external data file '${location}' is missing`, modelFile);
    }
    try {
      const size = fs.fstatSync(fd).size;
      const len = length ?? size - offset;
      if (offset + len > size) {
        throw new OnnxFormatError(`external data file '${location}' is ${size} bytes, too short for offset ${offset} + length ${len}`, modelFile);
      }
      const out = new Uint8Array(len);
      fs.readSync(fd, out, 0, len, offset);
      return out;
    } finally {
      fs.closeSync(fd);
    }
  };
}

interface Ctx {
  file: string | undefined;
  loadExternal: ExternalDataLoader | undefined;
}

function decodeGraph(g: GraphProto, ctx: Ctx): Graph {
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer) initializers.set(t.name, decodeTensorIn(t, ctx));
  return {
    name: g.name,
    nodes: g.node.map((n, i): Node => ({
      name: n.name || `${n.opType}_${i}`,
      opType: n.opType,
      domain: n.domain === 'ai.onnx' ? '' : n.domain,
      inputs: [...n.input],
      outputs: [...n.output],
      attributes: new Map(n.attribute.map((a) => [a.name, decodeAttribute(a, ctx)])),
      proto: n,
    })),
    inputs: g.input.filter((v) => !initializers.has(v.name)).map(decodeValueInfo),
    outputs: g.output.map(decodeValueInfo),
    valueInfo: g.valueInfo.map(decodeValueInfo),
    initializers,
    proto: g,
  };
}

function decodeTensorIn(t: TensorProto, ctx: Ctx): Tensor {
  const EXTERNAL = 1;
  if (t.dataLocation !== EXTERNAL) return decodeTensor(t);
  const entries = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) throw new OnnxFormatError(`tensor '${t.name}' is stored externally but names no location`, ctx.file);
  if (!ctx.loadExternal) throw new OnnxFormatError(`tensor '${t.name}' is stored in '${location}', which cannot be read from bytes alone`, ctx.file);
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : undefined;
  const bytes = ctx.loadExternal(location, offset, length);
  const tensor = decodeTensor(t, bytes);
  tensor.external = { location, offset, length: bytes.byteLength };
  return tensor;
}

export function decodeValueInfo(v: ValueInfoProto): ValueInfo {
  const tt = v.type?.value.case === 'tensorType' ? v.type.value.value : undefined;
  const shape: Dim[] | null = tt?.shape
    ? tt.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null))
    : null;
  return { name: v.name, elemType: tt?.elemType ?? 0, shape, proto: v };
}

function decodeAttribute(a: AttributeProto, ctx: Ctx): AttributeValue {
  const dec = new TextDecoder();
  switch (a.type) {
    case 1: return { type: 'float', value: a.f };
    case 2: return { type: 'int', value: Number(a.i) };
    case 3: return { type: 'string', value: dec.decode(a.s) };
    case 4: return { type: 'tensor', value: decodeTensorIn(a.t!, ctx) };
    case 5: return { type: 'graph', value: a.g! };
    case 6: return { type: 'floats', value: [...a.floats] };
    case 7: return { type: 'ints', value: a.ints.map(Number) };
    case 8: return { type: 'strings', value: a.strings.map((s) => dec.decode(s)) };
    case 9: return { type: 'tensors', value: a.tensors.map((t) => decodeTensorIn(t, ctx)) };
    case 10: return { type: 'graphs', value: [...a.graphs] };
    default: return { type: 'other', value: a };
  }
}
