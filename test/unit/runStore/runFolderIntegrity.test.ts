import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import { sha256File } from '../../../src/core/runStore/runFingerprint';
import { writeModel } from '../../../src/core/onnx/writeModel';
import { twoStreamModel } from '../protocol/plantedModels';
import { escapeRegExp, plantedWorkspace, quiet, readRunInfo, spawnCli } from '../scale/scaleHelpers';

/** A finished one-seed run of the planted two-stream model. */
async function finishedRun(prefix: string) {
  const { dir, spec } = plantedWorkspace(prefix, { epochs: 2, seeds: [0], randomInit: false });
  const out = path.join(dir, 'run');
  assert.equal(await find.run([spec, '--out', out, '--threads', '1'], quiet), 0);
  return { dir, spec, out };
}

function editSpec(spec: string, edit: (mask: Record<string, unknown>) => void): void {
  const s = JSON.parse(fs.readFileSync(spec, 'utf8'));
  edit(s.mask);
  fs.writeFileSync(spec, JSON.stringify(s));
}

describe('run.json fingerprint', () => {
  test('records sha256 of the spec, the model and every dataset, as sha256sum computes them', async () => {
    const { dir, out } = await finishedRun('fp-');
    const fp = readRunInfo(out).fingerprint!;
    assert.match(fp.spec, /^[0-9a-f]{64}$/);
    const model = path.join(dir, 'model.onnx');
    const sum = spawnSync('sha256sum', [model], { encoding: 'utf8' }).stdout.split(' ')[0];
    assert.equal(fp.model[model], sum);
    assert.equal(sha256File(model), sum);
    const names = ['A_test', 'A_train', 'A_val', 'B_test', 'B_train', 'B_val'].map((n) => `${n}.npz`);
    assert.deepEqual(Object.keys(fp.datasets).map((f) => path.basename(f)).sort(), names);
    assert.deepEqual(fp.externalData, {});
  });

  test('--resume after editing the spec names every changed field and leaves run.json as it was', async () => {
    const { spec, out } = await finishedRun('fp-spec-');
    const before = fs.readFileSync(path.join(out, 'run.json'), 'utf8');
    editSpec(spec, (mask) => { mask.epochs = 600; mask.lambda = 5; });
    const changed = /holds a different run: spec changed: mask\.lambda 0\.01 → 5, mask\.epochs 2 → 600/;
    await assert.rejects(find.run([spec, '--resume', out], quiet), changed);
    assert.equal(fs.readFileSync(path.join(out, 'run.json'), 'utf8'), before);
  });

  test('--resume after a dataset changed names the file; other --seeds than the run\'s are a spec change', async () => {
    const { dir, spec, out } = await finishedRun('fp-data-');
    const moreSeeds = find.run([spec, '--resume', out, '--seeds', '0,1'], quiet);
    await assert.rejects(moreSeeds, /spec changed: seeds\[1\] \(none\) → 1/);
    const file = path.join(dir, 'data', 'B_test.npz');
    fs.appendFileSync(file, Buffer.from([0]));
    const hashes = '\\(sha256 [0-9a-f]{12}… → [0-9a-f]{12}…\\)';
    const changed = new RegExp(`dataset ${escapeRegExp(file)} contents changed ${hashes}`);
    await assert.rejects(find.run([spec, '--resume', out], quiet), changed);
  });

  test('hashes external data; --resume after it changed names the side file', async () => {
    const { dir, spec } = plantedWorkspace('fp-ext-', { epochs: 2, seeds: [0], randomInit: false });
    const externalData = { location: 'weights.bin', threshold: 16 };
    writeModel(path.join(dir, 'model.onnx'), twoStreamModel(0), { externalData });
    const out = path.join(dir, 'run');
    assert.equal(await find.run([spec, '--out', out, '--threads', '1'], quiet), 0);
    const side = path.join(dir, 'weights.bin');
    const sum = spawnSync('sha256sum', [side], { encoding: 'utf8' }).stdout.split(' ')[0];
    assert.deepEqual(readRunInfo(out).fingerprint!.externalData, { [side]: sum });
    const bytes = fs.readFileSync(side);
    bytes[0] = bytes[0]! ^ 1;
    fs.writeFileSync(side, bytes);
    const changed = new RegExp(`external data ${escapeRegExp(side)} contents changed`);
    await assert.rejects(find.run([spec, '--resume', out], quiet), changed);
  });

  test('--resume of an unchanged complete run keeps it complete', async () => {
    const { spec, out } = await finishedRun('fp-same-');
    const results = fs.readFileSync(path.join(out, 'results.json'), 'utf8');
    assert.equal(await find.run([spec, '--resume', out], quiet), 0);
    assert.equal(readRunInfo(out).status, 'complete');
    assert.equal(fs.readFileSync(path.join(out, 'results.json'), 'utf8'), results);
  });
});

describe('run folder checks', () => {
  test('--resume on a run.json of {} or of broken JSON fails with one line and leaves the file untouched', async () => {
    const { spec, out } = await finishedRun('rj-');
    const cases = [
      ['{}', /run\.json: field 'schemaVersion' is missing/],
      ['{"id":', /run\.json is not valid JSON/],
    ] as const;
    for (const [text, message] of cases) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rj-bad-'));
      fs.writeFileSync(path.join(dir, 'run.json'), text);
      await assert.rejects(find.run([spec, '--resume', dir], quiet), message);
      assert.equal(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'), text);
      assert.deepEqual(fs.readdirSync(dir), ['run.json']);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rj-done-'));
    const badItem = { subroutine: 'A', seed: -1, variant: 'trained' };
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...readRunInfo(out), done: [badItem] }));
    await assert.rejects(find.run([spec, '--resume', dir], quiet), /field 'done\[0\]' is invalid/);
  });

  test('--resume of a folder without run.json says there is nothing to resume', async () => {
    const { spec } = plantedWorkspace('rj-none-');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rj-empty-'));
    await assert.rejects(find.run([spec, '--resume', dir], quiet), /no run\.json here: not a run folder/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('--out into a non-empty folder is refused without --resume; files `plan` writes are allowed', async () => {
    const { dir, spec, out } = await finishedRun('ne-');
    const listing = fs.readdirSync(out).sort();
    const runThere = /--out folder is not empty \(.*\); continue it with --resume DIR or choose another --out/;
    await assert.rejects(find.run([spec, '--out', out], quiet), runThere);
    assert.deepEqual(fs.readdirSync(out).sort(), listing);
    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    const notRun = /--out folder is not empty \(notes\.txt\); choose another --out/;
    await assert.rejects(find.run([spec, '--out', other], quiet), notRun);
    const planned = path.join(dir, 'planned');
    fs.mkdirSync(path.join(planned, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(planned, 'slurm.sbatch'), '#!/bin/bash\n');
    assert.equal(await find.run([spec, '--out', planned, '--threads', '1'], quiet), 0);
    assert.equal(readRunInfo(planned).status, 'complete');
  });
});

describe('run folder lock', () => {
  test('a second find is refused while a live process holds the lock; a dead owner\'s lock is taken over', async () => {
    const { spec, out } = await finishedRun('lock-');
    const sleeper = spawn('sleep', ['30']);
    try {
      const lock = path.join(out, 'locks', 'shard-0-of-1.lock');
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      fs.writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, host: os.hostname(), started: 'then' }));
      const busy = new RegExp(`another find is running in this folder \\(pid ${sleeper.pid} on `);
      await assert.rejects(find.run([spec, '--resume', out], quiet), busy);
      const noJoin = /an unsharded find \(pid \d+\) is running in this folder; shards of 2 cannot join it/;
      await assert.rejects(find.run([spec, '--resume', out, '--shard', '0/2'], quiet), noJoin);
      const dead = spawnSync('true').pid;
      fs.writeFileSync(lock, JSON.stringify({ pid: dead, host: os.hostname(), started: 'then' }));
      assert.equal(await find.run([spec, '--resume', out], quiet), 0);
      assert.equal(fs.existsSync(path.join(out, 'locks')), false, 'locks are removed when the run ends');
    } finally {
      sleeper.kill();
    }
  });
});

describe('find under SIGTERM and SIGHUP', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    test(`${signal} stops the CLI, marks the run cancelled and releases the lock`, async () => {
      const { dir, spec } = plantedWorkspace(`find-${signal}-`, { epochs: 200, seeds: [0], randomInit: false });
      const out = path.join(dir, 'run');
      const child = spawnCli(['find', spec, '--out', out, '--threads', '1']);
      let stderr = '';
      const code = await new Promise<number | null>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d;
          if (/step \d+\//.test(stderr) && !child.killed) child.kill(signal);
        });
        child.on('exit', (c) => resolve(c));
      });
      assert.equal(code, 130, stderr);
      assert.match(stderr, new RegExp(`${signal}: stopping after the current step`));
      const run = readRunInfo(out);
      assert.equal(run.status, 'cancelled');
      assert.ok(run.done.length < run.total);
      assert.equal(fs.existsSync(path.join(out, 'locks')), false);
    });
  }
});
