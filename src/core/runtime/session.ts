// The one place that loads onnxruntime-node. Sessions are built from Model IR.
//
// Large initializers never pass through an encoded copy of the model: they are written straight from
// their arrays into a temporary external-data file that onnxruntime maps into memory, and the model bytes
// handed over hold only the graph. The temporary folder is removed once the session exists.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromBinary, toBinary, create } from '@bufbuild/protobuf';
import { ModelProtoSchema, StringStringEntryProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import type { Model, Tensor } from '../onnx/ir';
import { encodeModel } from '../onnx/writeModel';
import { ExecutionProviderError } from './ExecutionProviderError';
import { resolveExecutionProvider, type Device, type ProviderEnvironment } from './resolveExecutionProvider';
import { allocTensorData, bytesOfTyped } from '../onnx/tensorCodec';

export interface SessionOptions {
  threads?: number;
  /** onnxruntime options that replace the defaults (optimisation level, log level, …). */
  overrides?: ort.InferenceSession.SessionOptions;
}

/** The provider every session of this process asks for; set per job with useDevice(). */
let executionProvider = 'cpu';

/** What the installed onnxruntime-node offers on this machine. */
export function providerEnvironment(): ProviderEnvironment {
  const { platform, arch } = process;
  const packageDir = path.dirname(path.dirname(require.resolve('onnxruntime-node')));
  const bindingDir = path.join(packageDir, 'bin', 'napi-v6', platform, arch);
  return { platform, arch, backends: ort.listSupportedBackends(), bindingDir: path.normalize(bindingDir) };
}

/** Makes later sessions use `device`'s provider; throws ExecutionProviderError when it is missing here. */
export function useDevice(device: Device): string {
  executionProvider = resolveExecutionProvider(device, providerEnvironment());
  return executionProvider;
}

/** Initializers at least this large go to the external-data file. */
const EXTERNAL_BYTES = 1 << 16;
/** onnxruntime maps external data only at page-aligned offsets. */
const ALIGN = 4096;

export async function createSession(
  model: Model | Uint8Array,
  options: SessionOptions = {},
): Promise<ort.InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads ?? 0,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    executionProviders: [executionProvider],
    ...options.overrides,
  };
  try {
    if (model instanceof Uint8Array) return await ort.InferenceSession.create(model, sessionOptions);
    const large = [...model.graph.initializers.values()]
      .filter((t) => !Array.isArray(t.data) && t.data.byteLength >= EXTERNAL_BYTES);
    if (large.length === 0) return await ort.InferenceSession.create(encodeModel(model).model, sessionOptions);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'subnetwork-lens-session-'));
    try {
      const file = path.join(dir, 'model.onnx');
      fs.writeFileSync(file, graphWithExternalData(model, large, dir));
      return await ort.InferenceSession.create(file, sessionOptions);
    } finally {
      removeWhenPossible(dir);
    }
  } catch (e) {
    if (executionProvider === 'cpu') throw e;
    const why = (e as Error).message;
    throw new ExecutionProviderError(`onnxruntime could not start the ${executionProvider} execution provider: ${why}`);
  }
}

/**
 * The model's bytes with `large` initializers stored in `dir/weights.bin`. The protos the model was read
 * from are passed on without their initializers, so encoding never copies the large arrays.
 */
function graphWithExternalData(model: Model, large: Tensor[], dir: string): Uint8Array {
  const placeholders = new Map(model.graph.initializers);
  for (const t of large) placeholders.set(t.name, { ...t, data: allocTensorData(t.dataType, 0), proto: undefined });
  const lean: Model = {
    ...model,
    proto: model.proto ? { ...model.proto, graph: undefined } : undefined,
    graph: {
      ...model.graph,
      initializers: placeholders,
      proto: model.graph.proto ? { ...model.graph.proto, initializer: [] } : undefined,
    },
  };
  const proto = fromBinary(ModelProtoSchema, encodeModel(lean).model);
  const locations = writeWeights(large, path.join(dir, 'weights.bin'));
  for (const p of proto.graph!.initializer) {
    const at = locations.get(p.name);
    if (!at) continue;
    p.dataLocation = 1;
    p.externalData = [['location', 'weights.bin'], ['offset', String(at.offset)], ['length', String(at.length)]]
      .map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
  }
  return toBinary(ModelProtoSchema, proto);
}

/** Writes each tensor's bytes at an aligned offset, straight from its array. */
function writeWeights(tensors: Tensor[], file: string): Map<string, { offset: number; length: number }> {
  const fd = fs.openSync(file, 'w');
  const out = new Map<string, { offset: number; length: number }>();
  try {
    let offset = 0;
    for (const t of tensors) {
      const bytes = bytesOfTyped(t.data as Exclude<Tensor['data'], string[]>);
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, offset + done);
      out.set(t.name, { offset, length: bytes.length });
      offset = Math.ceil((offset + bytes.length) / ALIGN) * ALIGN;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/** Removes the folder now, or (where open or mapped files cannot be removed) when the process exits. */
function removeWhenPossible(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
}

export { ort };
