import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import { resolveExecutionProvider, type ProviderEnvironment } from '../../../src/core/runtime/resolveExecutionProvider';
import { providerEnvironment } from '../../../src/core/runtime/session';
import { plantedWorkspace, quiet, readRunInfo } from './scaleHelpers';

const CUDA_LIBRARY = 'libonnxruntime_providers_cuda.so';
const linux = (backends: string[]): ProviderEnvironment => ({
  platform: 'linux', arch: 'x64', bindingDir: fs.mkdtempSync(path.join(os.tmpdir(), 'ep-bin-')),
  backends: backends.map((name) => ({ name, bundled: name === 'cpu' || name === 'webgpu' })),
});

describe('resolveExecutionProvider', () => {
  test('cuda without the provider library names the file, the folder and the install option', () => {
    const env = linux(['cpu', 'webgpu', 'cuda', 'tensorrt']);
    assert.throws(() => resolveExecutionProvider('cuda', env), (e: Error) => e.name === 'ExecutionProviderError'
      && e.message.includes(`${CUDA_LIBRARY} is missing from ${env.bindingDir}`)
      && e.message.includes('--onnxruntime-node-install-cuda=v12'));
    fs.writeFileSync(path.join(env.bindingDir, CUDA_LIBRARY), '');
    assert.equal(resolveExecutionProvider('cuda', env), 'cuda');
    assert.equal(resolveExecutionProvider('auto', env), 'cuda');
  });

  test('a provider of another platform, or missing from the build, is an error; only auto settles for the CPU', () => {
    const cpuOnly = linux(['cpu']);
    const windowsOnly = /--device dml: DirectML runs on Windows only \(this is linux x64\)/;
    assert.throws(() => resolveExecutionProvider('dml', cpuOnly), windowsOnly);
    assert.throws(() => resolveExecutionProvider('coreml', cpuOnly), /--device coreml: CoreML runs on macOS only/);
    assert.throws(() => resolveExecutionProvider('webgpu', cpuOnly),
      /--device webgpu: this onnxruntime-node build for linux x64 has no webgpu execution provider \(it has: cpu\)/);
    const mac: ProviderEnvironment = { ...linux(['cpu', 'coreml']), platform: 'darwin', arch: 'arm64' };
    assert.equal(resolveExecutionProvider('coreml', mac), 'coreml');
    assert.equal(resolveExecutionProvider('auto', mac), 'coreml');
    const windows: ProviderEnvironment = { ...linux(['cpu', 'dml']), platform: 'win32' };
    assert.equal(resolveExecutionProvider('dml', windows), 'dml');
    assert.equal(resolveExecutionProvider('auto', linux(['cpu', 'cuda'])), 'cpu');
    assert.equal(resolveExecutionProvider('cpu', cpuOnly), 'cpu');
  });
});

describe('find --device', () => {
  const { dir, spec } = plantedWorkspace('find-device-', { epochs: 2, seeds: [0], randomInit: false });
  const here = providerEnvironment();
  const runInto = (name: string, device: string) =>
    find.run([spec, '--out', path.join(dir, name), '--device', device, '--threads', '1'], quiet);

  test('cpu and auto (no GPU provider here) run and record the provider in run.json', async (t) => {
    assert.equal(await runInto('cpu', 'cpu'), 0);
    assert.equal(readRunInfo(path.join(dir, 'cpu')).versions.executionProvider, 'cpu');
    const auto = resolveExecutionProvider('auto', here);
    if (auto !== 'cpu') return t.skip(`this machine has the ${auto} provider`);
    assert.equal(await runInto('auto', 'auto'), 0);
    assert.equal(readRunInfo(path.join(dir, 'auto')).versions.executionProvider, 'cpu');
  });

  test('cuda where its binaries are not installed fails before writing anything, naming what is missing', async (t) => {
    if (fs.existsSync(path.join(here.bindingDir, CUDA_LIBRARY))) return t.skip('CUDA binaries are installed here');
    await assert.rejects(runInto('cuda', 'cuda'), /--device cuda: libonnxruntime_providers_cuda\.so is missing/);
    assert.equal(fs.existsSync(path.join(dir, 'cuda')), false);
  });

  test('webgpu without an adapter fails naming the provider instead of running on the CPU', async (t) => {
    let failure: Error | undefined;
    try {
      await runInto('webgpu', 'webgpu');
    } catch (e) {
      failure = e as Error;
    }
    const run = readRunInfo(path.join(dir, 'webgpu'));
    if (!failure) {
      assert.equal(run.versions.executionProvider, 'webgpu');
      return t.skip('this machine has a WebGPU adapter');
    }
    assert.match(failure.message, /webgpu/i);
    assert.equal(run.status, 'failed');
  });

  test('an unknown device is a usage error listing the choices', async () => {
    const choices = /--device must be one of cpu, cuda, dml, coreml, webgpu, auto, got 'tpu'/;
    await assert.rejects(find.run([spec, '--device', 'tpu'], quiet), choices);
  });
});
