import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import type { CliIO } from '../../../src/cli/command';
import type { RunInfo } from '../../../src/shared/results';
import { resolveExecutionProvider, type ProviderEnvironment } from '../../../src/core/runtime/resolveExecutionProvider';
import { providerEnvironment } from '../../../src/core/runtime/session';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';

const quiet: CliIO = { out() {}, err() {} };
const emptyDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ep-bin-'));
const linux = (backends: string[], bindingDir = emptyDir()): ProviderEnvironment => ({
  platform: 'linux', arch: 'x64', bindingDir, backends: backends.map((name) => ({ name, bundled: name === 'cpu' || name === 'webgpu' })),
});

describe('resolveExecutionProvider', () => {
  test('cuda without the provider library names the file, the folder and the install option', () => {
    const env = linux(['cpu', 'webgpu', 'cuda', 'tensorrt']);
    assert.throws(() => resolveExecutionProvider('cuda', env), (e: Error) => e.name === 'ExecutionProviderError'
      && e.message.includes(`libonnxruntime_providers_cuda.so is missing from ${env.bindingDir}`)
      && e.message.includes('--onnxruntime-node-install-cuda=v12'));
    fs.writeFileSync(path.join(env.bindingDir, 'libonnxruntime_providers_cuda.so'), '');
    assert.equal(resolveExecutionProvider('cuda', env), 'cuda');
    assert.equal(resolveExecutionProvider('auto', env), 'cuda');
  });

  test('a provider of another platform, or missing from the build, is an error; only auto settles for the CPU', () => {
    assert.throws(() => resolveExecutionProvider('dml', linux(['cpu'])), /--device dml: DirectML runs on Windows only \(this is linux x64\)/);
    assert.throws(() => resolveExecutionProvider('coreml', linux(['cpu'])), /--device coreml: CoreML runs on macOS only/);
    assert.throws(() => resolveExecutionProvider('webgpu', linux(['cpu'])), /--device webgpu: this onnxruntime-node build for linux x64 has no webgpu execution provider \(it has: cpu\)/);
    const mac: ProviderEnvironment = { ...linux(['cpu', 'coreml']), platform: 'darwin', arch: 'arm64' };
    assert.equal(resolveExecutionProvider('coreml', mac), 'coreml');
    assert.equal(resolveExecutionProvider('auto', mac), 'coreml');
    const windows: ProviderEnvironment = { ...linux(['cpu', 'dml']), platform: 'win32' };
    assert.equal(resolveExecutionProvider('dml', windows), 'dml');
    assert.equal(resolveExecutionProvider('auto', linux(['cpu', 'cuda'])), 'cpu');
    assert.equal(resolveExecutionProvider('cpu', linux(['cpu'])), 'cpu');
  });
});

describe('find --device', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'find-device-'));
  const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 2 }, { seeds: [0], controls: { randomInit: false, randomAblations: 2, ablationModes: ['zero'] } });
  const here = providerEnvironment();

  test('cpu and auto (no GPU provider here) run and record the provider in run.json', async (t) => {
    assert.equal(await find.run([spec, '--out', path.join(dir, 'cpu'), '--device', 'cpu', '--threads', '1'], quiet), 0);
    assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'cpu', 'run.json'), 'utf8')) as RunInfo).versions.executionProvider, 'cpu');
    const auto = resolveExecutionProvider('auto', here);
    if (auto !== 'cpu') return t.skip(`this machine has the ${auto} provider`);
    assert.equal(await find.run([spec, '--out', path.join(dir, 'auto'), '--device', 'auto', '--threads', '1'], quiet), 0);
    assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'auto', 'run.json'), 'utf8')) as RunInfo).versions.executionProvider, 'cpu');
  });

  test('cuda where its binaries are not installed fails before writing anything, naming what is missing', async (t) => {
    if (fs.existsSync(path.join(here.bindingDir, 'libonnxruntime_providers_cuda.so'))) return t.skip('CUDA binaries are installed here');
    const out = path.join(dir, 'cuda');
    await assert.rejects(find.run([spec, '--out', out, '--device', 'cuda'], quiet), /--device cuda: libonnxruntime_providers_cuda\.so is missing/);
    assert.equal(fs.existsSync(out), false);
  });

  test('webgpu without an adapter fails naming the provider instead of running on the CPU', async (t) => {
    const out = path.join(dir, 'webgpu');
    let failure: Error | undefined;
    try {
      await find.run([spec, '--out', out, '--device', 'webgpu', '--threads', '1'], quiet);
    } catch (e) {
      failure = e as Error;
    }
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    if (!failure) {
      assert.equal(run.versions.executionProvider, 'webgpu');
      return t.skip('this machine has a WebGPU adapter');
    }
    assert.match(failure.message, /webgpu/i);
    assert.equal(run.status, 'failed');
  });

  test('an unknown device is a usage error listing the choices', async () => {
    await assert.rejects(find.run([spec, '--device', 'tpu'], quiet), /--device must be one of cpu, cuda, dml, coreml, webgpu, auto, got 'tpu'/);
  });
});
