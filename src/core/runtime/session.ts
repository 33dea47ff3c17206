// The one place that loads onnxruntime-node. Sessions are built from Model IR bytes.
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Model } from '../onnx/ir';
import { encodeModel } from '../onnx/writeModel';
import { ExecutionProviderError } from './ExecutionProviderError';
import { resolveExecutionProvider, type Device, type ProviderEnvironment } from './resolveExecutionProvider';

export interface SessionOptions {
  threads?: number;
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

export async function createSession(model: Model | Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model).model;
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads ?? 0,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      executionProviders: [executionProvider],
    });
  } catch (e) {
    if (executionProvider === 'cpu') throw e;
    const why = (e as Error).message;
    throw new ExecutionProviderError(`onnxruntime could not start the ${executionProvider} execution provider: ${why}`);
  }
}

export { ort };
