import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import type { CliIO } from '../../../src/cli/command';
import type { ResultsFile, RunInfo } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';
import { shardItems } from '../../../src/core/runStore/shardItems';
import { planItems } from '../../../src/core/analysis/runFind';
import { loadSpec } from '../../../src/core/data/loadSpec';
import { sameRunResults } from './sameRunResults';

const repoRoot = path.join(__dirname, '..', '..', '..');
const quiet: CliIO = { out() {}, err() {} };
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** Planted workspace with the random-init control: 2 subroutines × 2 seeds × 2 bases = 8 work items. */
function workspace(prefix: string): { dir: string; spec: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 3 }, { seeds: [0, 1], controls: { randomInit: true, randomAblations: 3, ablationModes: ['zero', 'mean'] } });
  return { dir, spec };
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'cli', 'main.ts'), ...args], { cwd: repoRoot });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d; });
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('shardItems', () => {
  test('the shards of a plan are disjoint, cover it, and do not depend on who asks', () => {
    const { spec } = workspace('shard-plan-');
    const plan = planItems(loadSpec(spec));
    assert.equal(plan.length, 8);
    for (const count of [1, 2, 3, 8, 11]) {
      const parts = Array.from({ length: count }, (_, index) => shardItems(plan, { index, count }));
      assert.deepEqual(parts.flat().map((w) => JSON.stringify(w)).sort(), plan.map((w) => JSON.stringify(w)).sort());
      assert.ok(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length)) <= 1);
    }
  });

  test('--shard is K/N with 0 ≤ K < N and needs --out', async () => {
    for (const bad of ['3/3', '1', '1/0', 'a/b', '0/2/4']) await assert.rejects(find.run(['x.subnet.json', '--out', 'd', '--shard', bad], quiet), /--shard must be K\/N with 0 ≤ K < N/);
    await assert.rejects(find.run(['x.subnet.json', '--shard', '0/2'], quiet), /--shard needs --out DIR/);
  });
});

describe('sharded find', () => {
  const { dir, spec } = workspace('shards-');
  const single = path.join(dir, 'single');
  before(async () => {
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
  });

  test('three shard processes writing one folder give the one-process results: masks, scores, verdicts, csv', async () => {
    const sharded = path.join(dir, 'sharded');
    const shards = await Promise.all([0, 1, 2].map((k) => runCli(['find', spec, '--out', sharded, '--shard', `${k}/3`, '--threads', '1'])));
    for (const s of shards) assert.equal(s.code, 0, s.stderr);
    assert.equal(shards.filter((s) => /^run complete: /m.test(s.stdout)).length >= 1, true, 'the shard that finished last printed the results');
    const run = readJson<RunInfo>(path.join(sharded, 'run.json'));
    assert.equal(run.status, 'complete');
    assert.equal(run.done.length, 8);
    assert.equal(fs.existsSync(path.join(sharded, 'locks')), false);
    sameRunResults(single, sharded);
  });

  test('a shard alone leaves the run running; find --resume finishes and assembles it like one process', async () => {
    const sharded = path.join(dir, 'resumed');
    const out: string[] = [];
    assert.equal(await find.run([spec, '--out', sharded, '--shard', '1/4', '--threads', '1'], { out: (t) => out.push(t), err() {} }), 0);
    assert.match(out.join(''), /^shard done: .* \(6 work items left to the other shards\)$/m);
    const partial = readJson<RunInfo>(path.join(sharded, 'run.json'));
    assert.equal(partial.status, 'running');
    assert.equal(partial.done.length, 2);
    assert.equal(readJson<ResultsFile>(path.join(sharded, 'results.json')).partial, true);
    assert.equal(await find.run([spec, '--resume', sharded, '--threads', '1'], quiet), 0);
    assert.equal(readJson<RunInfo>(path.join(sharded, 'run.json')).status, 'complete');
    sameRunResults(single, sharded);
  });
});
