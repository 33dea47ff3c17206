// `--device` → the onnxruntime-node execution provider to ask for. A provider this build or machine
// lacks is an error naming what is missing; only `auto` may settle for the CPU.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecutionProviderError } from './ExecutionProviderError';

export const DEVICES = ['cpu', 'cuda', 'dml', 'coreml', 'webgpu', 'auto'] as const;
export type Device = (typeof DEVICES)[number];

/** What the installed onnxruntime-node offers here. */
export interface ProviderEnvironment {
  platform: NodeJS.Platform;
  arch: string;
  /** ort.listSupportedBackends(): the providers this build knows; `bundled: false` ones need extra files. */
  backends: { name: string; bundled: boolean }[];
  /** Folder of onnxruntime_binding.node, where provider libraries such as libonnxruntime_providers_cuda.so go. */
  bindingDir: string;
}

const PLATFORM_OF: Partial<Record<Device, { platform: NodeJS.Platform; what: string }>> = {
  dml: { platform: 'win32', what: 'DirectML runs on Windows only' },
  coreml: { platform: 'darwin', what: 'CoreML runs on macOS only' },
};

const CUDA_LIBRARY = 'libonnxruntime_providers_cuda.so';
const CUDA_INSTALL = 'reinstall onnxruntime-node with its CUDA 12 binaries (npm install onnxruntime-node '
  + '--onnxruntime-node-install-cuda=v12; the machine needs the CUDA 12 runtime and cuDNN 9)';

/** Why `device` cannot be used here, or null when it can. */
function missing(device: Exclude<Device, 'auto'>, env: ProviderEnvironment): string | null {
  const where = `${env.platform} ${env.arch}`;
  const needs = PLATFORM_OF[device];
  if (needs && env.platform !== needs.platform) return `${needs.what} (this is ${where})`;
  const backend = env.backends.find((b) => b.name === device);
  if (!backend) {
    const offered = env.backends.map((b) => b.name).join(', ');
    return `this onnxruntime-node build for ${where} has no ${device} execution provider (it has: ${offered})`;
  }
  if (device === 'cuda' && !fs.existsSync(path.join(env.bindingDir, CUDA_LIBRARY))) {
    return `${CUDA_LIBRARY} is missing from ${env.bindingDir}: ${CUDA_INSTALL}`;
  }
  return null;
}

/**
 * The execution provider for `device`, or an ExecutionProviderError naming what is missing.
 * `auto` takes the first usable GPU provider (cuda, dml, coreml), else the CPU.
 */
export function resolveExecutionProvider(device: Device, env: ProviderEnvironment): Exclude<Device, 'auto'> {
  if (device === 'auto') return (['cuda', 'dml', 'coreml'] as const).find((d) => !missing(d, env)) ?? 'cpu';
  if (!DEVICES.includes(device)) {
    throw new ExecutionProviderError(`unknown device '${device}' (one of ${DEVICES.join(', ')})`);
  }
  const problem = missing(device, env);
  if (problem) throw new ExecutionProviderError(`--device ${device}: ${problem}`);
  return device;
}
