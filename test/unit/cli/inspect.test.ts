import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/cli';
import type { CliIO, Command } from '../../../src/cli/command';
import { inspect } from '../../../src/cli/commands/inspect';
import { OnnxFormatError } from '../../../src/core/onnx/errors';

const root = path.join(__dirname, '..', '..', '..');
const fixture = (name: string) => path.join(root, 'test', 'fixtures', name);

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, SUBNETWORK_LENS_DEBUG: '', ...env },
  });
}

describe('subnetwork-lens shell', () => {
  test('--help lists every registered command with its summary', async () => {
    const io = capture();
    assert.equal(await main(['--help'], io), 0);
    assert.match(io.stdout, /Usage: subnetwork-lens <command>/);
    assert.match(io.stdout, /^ {2}inspect +Summarise an ONNX model/m);
  });

  test('an unknown command gets one line with a suggestion and exit code 2', async () => {
    const io = capture();
    assert.equal(await main(['inspekt'], io), 2);
    assert.equal(io.stderr.trim().split('\n').length, 1);
    assert.match(io.stderr, /^subnetwork-lens: unknown command 'inspekt'\. Did you mean 'inspect'\?/);
  });

  test('engine errors become one line; the stack appears only with SUBNETWORK_LENS_DEBUG=1', async () => {
    const failing: Command = {
      name: 'boom', summary: 's', usage: 'u',
      run: async () => { throw new OnnxFormatError('bad bytes\nsecond line', 'm.onnx'); },
    };
    const io = capture();
    assert.equal(await main(['boom'], io, [failing]), 1);
    assert.equal(io.stderr, 'subnetwork-lens: m.onnx: bad bytes second line\n');
    process.env.SUBNETWORK_LENS_DEBUG = '1';
    try {
      const dbg = capture();
      await main(['boom'], dbg, [failing]);
      assert.match(dbg.stderr, /\n\s+at /);
    } finally {
      delete process.env.SUBNETWORK_LENS_DEBUG;
    }
  });

  test('a missing file and missing arguments give one line each with exit codes 1 and 2', async () => {
    const missing = capture();
    assert.equal(await main(['inspect', path.join(os.tmpdir(), 'absent-model.onnx')], missing), 1);
    assert.match(missing.stderr, /^subnetwork-lens: .*absent-model\.onnx: file not found\n$/);
    const usage = capture();
    assert.equal(await main(['inspect'], usage), 2);
    assert.equal(usage.stderr, "subnetwork-lens: inspect needs a model file (see 'subnetwork-lens inspect --help')\n");
    const option = capture();
    assert.equal(await main(['inspect', 'm.onnx', '--bogus'], option), 2);
    assert.match(option.stderr, /^subnetwork-lens: Unknown option '--bogus'/);
  });

  test('a command --help prints its usage without running it', async () => {
    const io = capture();
    assert.equal(await main(['inspect', '--help'], io), 0);
    assert.match(io.stdout, /^Usage: subnetwork-lens inspect MODEL\.onnx/);
  });
});

describe('subnetwork-lens inspect', () => {
  test('prints versions, shapes, the op histogram, parameters and maskable tensors as text', async () => {
    const io = capture();
    assert.equal(await inspect.run([fixture('mlp.onnx')], io), 0);
    const out = io.stdout;
    assert.match(out, /IR version 8, opset 17, producer pytorch/);
    assert.match(out, /x {2}float \[batch, 8\]/);
    assert.match(out, /logits {2}float \[batch, 4\]/);
    assert.match(out, /Gemm +2/);
    assert.match(out, /parameters: 276 in 8 tensors/);
    assert.match(out, /maskable: 2 tensors, 192 weights/);
    assert.match(out, /fc1\.weight +\[16, 8\] +128/);
    assert.match(out, /control flow: none/);
    assert.match(out, /gradients: /);
  });

  test('prints stable JSON with --json', async () => {
    const io = capture();
    assert.equal(await inspect.run([fixture('cnn.onnx'), '--json'], io), 0);
    const r = JSON.parse(io.stdout);
    assert.deepEqual(Object.keys(r), [
      'file', 'irVersion', 'opset', 'opsetImports', 'producer', 'graphName', 'inputs', 'outputs', 'nodeCount',
      'opHistogram',
      'parameterCount', 'parameterTensorCount', 'maskable', 'controlFlow', 'loadChanges', 'softmaxOutputs', 'gradients',
    ]);
    assert.deepEqual(r.opHistogram[0], { op: 'Conv', count: 2 });
    assert.equal(r.maskable.tensorCount, 3);
    assert.deepEqual(r.inputs, [{ name: 'image', dataType: 'float', shape: ['batch', 1, 8, 8] }]);
    const again = capture();
    await inspect.run([fixture('cnn.onnx'), '--json'], again);
    assert.equal(again.stdout, io.stdout);
  });

  test('as a process: bad input exits non-zero with one line naming the file and no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snl-cli-'));
    const bad = path.join(dir, 'notes.onnx');
    fs.writeFileSync(bad, JSON.stringify({ model: 'nope' }));
    const r = cli(['inspect', bad]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `subnetwork-lens: ${bad}: this is a JSON file, not an ONNX model\n`);
    assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
    fs.rmSync(dir, { recursive: true });
  });

  test('as a process: prints the report for a fixture and exits 0', () => {
    const r = cli(['inspect', fixture('attention.onnx')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /tokens {2}float \[batch, seq, 16\]/);
    assert.match(r.stdout, /LayerNormalization +2/);
  });
});
