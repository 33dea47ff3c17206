// ModelProto bytes -> Model IR. Every failure is an OnnxFormatError naming the file and the problem.
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type AttributeProto, type GraphProto, type ModelProto, type TensorProto,
  type ValueInfoProto } from 'onnx-buf';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OnnxFormatError } from './errors';
import type { AttributeValue, Dim, Graph, Metadata, Model, Node, Tensor, ValueInfo } from './ir';
import { decodeTensor } from './tensorCodec';
import { normaliseLoadedModel } from './normaliseLoadedModel';
import { readModelSkeleton, type LargeRawData, type ModelSkeleton } from './readModelSkeleton';

/** Highest versions onnxruntime-node 1.30 accepts. */
export const MAX_IR_VERSION = 13;
export const MAX_DEFAULT_OPSET = 26;
/** Oldest versions onnxruntime accepts (ONNX 1.2). */
export const MIN_IR_VERSION = 3;
export const MIN_DEFAULT_OPSET = 7;

/**
 * Supplies the bytes of an external-data side file (a fresh array the tensor keeps); `location` is
 * relative to the model's folder.
 */
export type ExternalDataLoader = (location: string, offset: number, length: number | undefined) => Uint8Array;

export interface DecodeOptions {
  /** Name used in error messages. */
  file?: string;
  loadExternal?: ExternalDataLoader;
  /**
   * The raw_data of the initializer at this index (in GraphProto order) when `bytes` leave it out
   * (see readModelSkeleton): a fresh array that becomes the tensor's data.
   */
  rawDataOf?: (initializer: number) => Uint8Array | undefined;
}

export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  const file = options.file;
  if (bytes.byteLength === 0) throw new OnnxFormatError('the file is empty', file);
  let proto: ModelProto | undefined;
  let parseError = '';
  try {
    proto = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    parseError = (e as Error).message;
  }
  if (!proto || !proto.graph || proto.irVersion === 0n || proto.opsetImport.length === 0) {
    // Not a model: say what the file looks like instead, when it is recognisable.
    const other = sniffFormat(bytes);
    if (other) throw new OnnxFormatError(other, file);
    if (!proto) throw new OnnxFormatError(
      `not a valid ONNX protobuf (${parseError}); the file may be truncated or not an ONNX model`, file);
    const missing = !proto.graph ? 'graph' : proto.irVersion === 0n ? 'ir_version' : 'opset_import';
    throw new OnnxFormatError(
      `not an ONNX model: the '${missing}' field is missing (the file may be truncated or another format)`, file);
  }
  const irVersion = Number(proto.irVersion);
  if (irVersion > MAX_IR_VERSION) {
    throw new OnnxFormatError(
      `IR version ${irVersion} is newer than onnxruntime supports (at most ${MAX_IR_VERSION})`, file);
  }
  if (irVersion < MIN_IR_VERSION) {
    throw new OnnxFormatError(
      `IR version ${irVersion} is older than onnxruntime supports (at least ${MIN_IR_VERSION})`, file);
  }
  const opsetImports = proto.opsetImport.map((o) => ({ domain: o.domain, version: Number(o.version) }));
  const opset = opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (opset && opset.version > MAX_DEFAULT_OPSET) {
    throw new OnnxFormatError(
      `opset ${opset.version} is newer than onnxruntime supports (at most ${MAX_DEFAULT_OPSET})`, file);
  }
  if (opset && opset.version < MIN_DEFAULT_OPSET) {
    throw new OnnxFormatError(
      `opset ${opset.version} is older than onnxruntime supports (at least ${MIN_DEFAULT_OPSET})`, file);
  }
  checkGraphStructure(proto.graph, file);
  const ctx: Ctx = { file, loadExternal: options.loadExternal, decoded: new Map() };
  proto.graph.initializer.forEach((t, i) => {
    const raw = options.rawDataOf?.(i);
    if (raw) ctx.decoded.set(t.name, decodeRead(t, raw, file));
  });
  const graph = decodeGraph(proto.graph, ctx);
  const model: Model = { irVersion, opsetImports, producerName: proto.producerName, graph, proto };
  model.loadChanges = normaliseLoadedModel(model);
  return model;
}

/** A tensor whose raw bytes were read into a fresh array of their own (kept as its data, not copied). */
function decodeRead(t: TensorProto, bytes: Uint8Array, file: string | undefined): Tensor {
  try {
    return decodeTensor(t, bytes, { owned: true });
  } catch (e) {
    throw e instanceof OnnxFormatError && e.file === undefined && file ? new OnnxFormatError(e.message, file) : e;
  }
}

/** Why the bytes are a well-known non-ONNX format ("this is a zip archive …, not an ONNX model"), or null. */
export function sniffFormat(bytes: Uint8Array): string | null {
  const what = sniffKind(bytes);
  if (!what) return null;
  if (what === 'protobuf text')
    return 'this is an ONNX model in protobuf text format; convert it to the binary format first';
  return `this is ${what}, not an ONNX model`;
}

function sniffKind(bytes: Uint8Array): string | null {
  const b = bytes;
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x50, 0x4b, 0x03, 0x04))
    return 'a zip archive (PyTorch .pt/.pth checkpoints and .npz files are zip archives)';
  if (starts(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)) return 'a NumPy .npy array';
  if (starts(0x89, 0x48, 0x44, 0x46)) return 'an HDF5 file (a Keras .h5 model?)';
  if (starts(0x1f, 0x8b)) return 'a gzip-compressed file';
  if (b[0] === 0x80 && b[1] !== undefined && b[1] >= 2 && b[1] <= 5) return 'a Python pickle';
  if (b.byteLength > 9) {
    const headerLength = Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
    if (b[8] === 0x7b && headerLength > 1 && headerLength <= b.byteLength - 8) return 'a safetensors file';
  }
  const text = asText(b.subarray(0, 4096));
  if (text === null) return null;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    return 'a JSON file';
  }
  if (trimmed.startsWith('<')) return 'an XML or HTML file';
  if (trimmed.startsWith('ir_version') || /^\s*graph\s*\{/.test(trimmed)) return 'protobuf text';
  return `a text file (it starts with '${trimmed.slice(0, 24).replace(/\s+/g, ' ')}')`;
}

/** The prefix decoded as UTF-8 when it is printable text (tabs and newlines allowed), else null. */
function asText(prefix: Uint8Array): string | null {
  let text: string;
  try {
    // A multi-byte character may be cut at the end of the prefix: drop up to 3 trailing bytes.
    text = new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(prefix));
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return text.length > 0 && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text) ? text : null;
}

function trimPartialUtf8(b: Uint8Array): Uint8Array {
  let end = b.byteLength;
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const c = b[end - k]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (need > k) end -= k;
    break;
  }
  return b.subarray(0, end);
}

/** Garbage that happens to decode as protobuf: every node needs a sane op type and tensor names. */
function checkGraphStructure(g: GraphProto, file: string | undefined): void {
  const OP_TYPE = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;
  g.node.forEach((n, i) => {
    if (!OP_TYPE.test(n.opType)) {
      throw new OnnxFormatError(`node ${i}${n.name ? ` '${n.name}'` : ''} has an invalid op type ` +
        `'${n.opType.slice(0, 40)}' (the file may be corrupt)`, file);
    }
    for (const t of [...n.input, ...n.output]) {
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x1f]/.test(t)) throw new OnnxFormatError(
        `node ${i} '${n.name || n.opType}' names a tensor with control characters (the file may be corrupt)`, file);
    }
  });
}

/** Reads a model file; external-data side files must stay inside the model's folder. */
export function readModel(file: string): Model {
  const loadExternal = externalFileLoader(file);
  let skeleton: ModelSkeleton | null = null;
  try {
    skeleton = readModelSkeleton(file, LARGE_BYTES);
  } catch {
    // Unreadable: readWhole names the problem.
  }
  if (!skeleton) return decodeModel(readWhole(file), { file, loadExternal });
  const { large } = skeleton;
  const rawDataOf = (i: number) => (large.has(i) ? readRange(file, large.get(i)!) : undefined);
  return decodeModel(skeleton.bytes, { file, loadExternal, rawDataOf });
}

/** Large initializers are read from the file one by one (readModelSkeleton), never with the whole file. */
const LARGE_BYTES = 1 << 16;

function readWhole(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OnnxFormatError(code === 'ENOENT' ? 'file not found'
      : code === 'EISDIR' ? 'is a folder, not a model file'
      : `cannot read (${code ?? (e as Error).message})`, file);
  }
}

function readRange(file: string, range: LargeRawData): Uint8Array {
  const out = new Uint8Array(range.length);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < range.length) {
      const n = fs.readSync(fd, out, done, range.length - done, range.offset + done);
      if (n === 0) throw new OnnxFormatError('the file changed while it was read', file);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

export function externalFileLoader(modelFile: string): ExternalDataLoader {
  const dir = path.dirname(path.resolve(modelFile));
  return (location, offset, length) => {
    const side = path.resolve(dir, location);
    const outside = (from: string, to: string) => {
      const rel = path.relative(from, to);
      return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
    };
    if (path.isAbsolute(location) || outside(dir, side)) {
      throw new OnnxFormatError(`external data location '${location}' points outside the model's folder`, modelFile);
    }
    let fd: number;
    try {
      // A symbolic link inside the folder must not lead outside it either.
      if (outside(fs.realpathSync(dir), fs.realpathSync(side))) {
        throw new OnnxFormatError(
          `external data location '${location}' links to a file outside the model's folder`, modelFile);
      }
      fd = fs.openSync(side, 'r');
    } catch (e) {
      if (e instanceof OnnxFormatError) throw e;
      throw new OnnxFormatError(`external data file '${location}' is missing (looked in ${dir})`, modelFile);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) {
        throw new OnnxFormatError(`external data location '${location}' is a folder, not a file`, modelFile);
      }
      const size = stat.size;
      const len = length ?? size - offset;
      if (offset + len > size) {
        throw new OnnxFormatError(`external data file '${location}' is ${size} bytes, too short for offset ` +
          `${offset} + length ${len}`, modelFile);
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
  /** Top-level initializers decoded already (their raw_data was left out of the parsed bytes). */
  decoded: Map<string, Tensor>;
}

function decodeGraph(g: GraphProto, ctx: Ctx): Graph {
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer) {
    const early = ctx.decoded.get(t.name);
    const tensor = early ? { ...early, proto: t } : decodeTensorIn(t, ctx);
    initializers.set(t.name, { ...tensor, ...metadataOf(t.metadataProps) });
  }
  return {
    name: g.name,
    nodes: g.node.map((n, i): Node => ({
      name: n.name || `${n.opType}_${i}`,
      opType: n.opType,
      domain: n.domain === 'ai.onnx' ? '' : n.domain,
      inputs: [...n.input],
      outputs: [...n.output],
      attributes: new Map(n.attribute.map((a) => [a.name, decodeAttribute(a, ctx)])),
      ...metadataOf(n.metadataProps),
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
  const bad = t.dims.find((d) => d < 0n || d > BigInt(Number.MAX_SAFE_INTEGER));
  if (bad !== undefined) {
    throw new OnnxFormatError(
      `tensor '${t.name}' has dimension ${bad} in its shape [${t.dims.join(', ')}]; dimensions must be ≥ 0`,
      ctx.file,
    );
  }
  try {
    return decodeTensorOrExternal(t, ctx);
  } catch (e) {
    if (e instanceof OnnxFormatError && e.file === undefined && ctx.file)
      throw new OnnxFormatError(e.message, ctx.file);
    throw e;
  }
}

function decodeTensorOrExternal(t: TensorProto, ctx: Ctx): Tensor {
  const EXTERNAL = 1;
  if (t.dataLocation !== EXTERNAL) return decodeTensor(t);
  const entries = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) throw new OnnxFormatError(`tensor '${t.name}' is stored externally but names no location`, ctx.file);
  if (!ctx.loadExternal) throw new OnnxFormatError(
    `tensor '${t.name}' is stored in '${location}', which cannot be read from bytes alone`, ctx.file);
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : undefined;
  if (!Number.isSafeInteger(offset) || offset < 0
    || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
    throw new OnnxFormatError(`tensor '${t.name}' has an invalid external-data offset '${entries.get('offset')}' or ` +
      `length '${entries.get('length')}'`, ctx.file);
  }
  const bytes = ctx.loadExternal(location, offset, length);
  const tensor = decodeTensor(t, bytes, { owned: true });
  tensor.external = { location, offset, length: bytes.byteLength };
  return tensor;
}

export function decodeValueInfo(v: ValueInfoProto): ValueInfo {
  const tt = v.type?.value.case === 'tensorType' ? v.type.value.value : undefined;
  const shape: Dim[] | null = tt?.shape
    ? tt.shape.dim.map((d) =>
      (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null))
    : null;
  return { name: v.name, elemType: tt?.elemType ?? 0, shape, ...metadataOf(v.metadataProps), proto: v };
}

/** `{ metadata }` when an element carries `metadata_props`, else nothing (most models have none). */
function metadataOf(props: readonly { key: string; value: string }[]): { metadata?: Metadata } {
  return props.length ? { metadata: Object.fromEntries(props.map((p) => [p.key, p.value])) } : {};
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
