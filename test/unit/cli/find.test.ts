import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import type { CliIO } from '../../../src/cli/command';
import type { RunInfo } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

describe('subnetwork-lens find', () => {
  test('runs the protocol, reports progress on stderr and prints a summary row per subroutine', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'find-cli-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 3 });
    const out = path.join(dir, 'run');
    const io = capture();
    assert.equal(await find.run([spec, '--out', out, '--seeds', '0', '--threads', '1'], io), 0, io.stderr);
    assert.match(io.stderr, /A, seed 0: step \d+\/\d+ +loss \d+\.\d+ +kept \d+\.\d+ %/);
    assert.match(io.stdout, new RegExp(`^run complete: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(io.stdout, /^ {2}subroutine +subnetwork +ablation +verdict +kept % +p +p \(Holm\) +seeds$/m);
    const p = '(\\d\\.\\d{3}|\\d\\.\\de-\\d+|–)';
    const verdict = '(compositional|not-compositional|inconclusive|uninformative)';
    for (const name of ['A', 'B']) {
      const row = `^  ${name} +-?\\d\\.\\d{3} +-?\\d\\.\\d{3} +${verdict} +\\d+\\.\\d{2} +${p} +${p} +1$`;
      assert.match(io.stdout, new RegExp(row, 'm'));
      assert.match(io.stdout, new RegExp(`^  ${name}: needs at least 2 seeds \\(have 1\\)$`, 'm'));
    }
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    assert.deepEqual(run.seeds, [0]);
    assert.equal(run.status, 'complete');
  });

  test('--json prints the results path and the summary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'find-json-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 3 });
    const io = capture();
    assert.equal(await find.run([spec, '--seeds', '0', '--json'], io), 0, io.stderr);
    const r = JSON.parse(io.stdout);
    assert.equal(r.status, 'complete');
    assert.ok(r.runDir.startsWith(path.join(dir, '.subnetwork-lens', 'runs')), r.runDir);
    assert.ok(fs.existsSync(r.results));
    assert.deepEqual(r.summary.map((s: { subroutine: string }) => s.subroutine), ['A', 'B']);
    assert.equal(typeof r.summary[0].keptFraction, 'number');
  });

  test('rejects a malformed seed list', async () => {
    await assert.rejects(find.run(['x.subnet.json', '--seeds', '0,a'], capture()), /--seeds must be comma-separated/);
  });
});

describe('subnetwork-lens find under Ctrl-C', () => {
  test('SIGINT stops the run, marks it cancelled and exits with 130', async () => {
    const { spawn } = await import('node:child_process');
    const root = path.join(__dirname, '..', '..', '..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'find-sigint-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 200 });
    const out = path.join(dir, 'run');
    const cli = path.join(root, 'src', 'cli', 'main.ts');
    const child = spawn(process.execPath, [
      '--import', 'tsx', cli, 'find', spec, '--out', out, '--seeds', '0', '--threads', '1',
    ], { cwd: root });
    let stderr = '', stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (/step \d+\//.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopping after the current step/);
    assert.match(stdout, /^run cancelled: /m);
    assert.match(stdout, /resume with: subnetwork-lens find SPEC --resume /);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    assert.equal(run.status, 'cancelled');
    assert.ok(run.done.length < run.total);
  });
});
