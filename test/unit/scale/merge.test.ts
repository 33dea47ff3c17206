// `subnetwork-lens merge DIR` assembles what the shards saved and names what is missing.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import { merge } from '../../../src/cli/commands/merge';
import { plan } from '../../../src/cli/commands/plan';
import { runFind } from '../../../src/jobs/runFind';
import { sameRunResults } from './sameRunResults';
import { plantedWorkspace, quiet, readRunInfo } from './scaleHelpers';

function capture() {
  const out: string[] = [];
  return { io: { out: (t: string) => { out.push(t); }, err() {} }, text: () => out.join('') };
}

describe('merge', () => {
  const { dir, spec } = plantedWorkspace('merge-', { seeds: [0, 1], randomInit: false });
  const single = path.join(dir, 'single');
  const shard = (out: string, k: number) =>
    find.run([spec, '--out', out, '--shard', `${k}/2`, '--threads', '1'], quiet);
  before(async () => {
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
  });

  test('one shard of two: merges its items, names the missing ones, leaves the run resumable', async () => {
    const out = path.join(dir, 'half');
    assert.equal(await shard(out, 1), 0);
    const c = capture();
    assert.equal(await merge.run([out], c.io), 1);
    assert.match(c.text(), /^merged 2 of 4 work items: .*half \(run cancelled\)$/m);
    assert.match(c.text(), /^missing: A seed 0, B seed 0$/m);
    assert.match(c.text(), /^run them with: subnetwork-lens find .*--resume .*half$/m);
    assert.equal(readRunInfo(out).status, 'cancelled');
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    assert.deepEqual(results.subroutines.A.seeds.map((s: { seed: number }) => s.seed), [1]);
    const json = capture();
    assert.equal(await merge.run([out, '--json'], json.io), 1);
    const parsed = JSON.parse(json.text());
    const item = (subroutine: string) => ({ subroutine, seed: 0, variant: 'trained' });
    assert.deepEqual(parsed.missing, [item('A'), item('B')]);
  });

  test('every item saved but never assembled (the last shard died): the one-process results', async () => {
    const out = path.join(dir, 'unassembled');
    assert.equal(await shard(out, 0), 0);
    assert.equal(await shard(out, 1), 0);
    for (const f of ['results.json', 'results.csv', 'report.html']) fs.rmSync(path.join(out, f));
    fs.writeFileSync(path.join(out, 'run.json'), JSON.stringify({ ...readRunInfo(out), status: 'running' }));
    const c = capture();
    assert.equal(await merge.run([out], c.io), 0);
    assert.equal(c.text(), `merged 4 of 4 work items: ${out} (run complete)\n`);
    assert.equal(readRunInfo(out).status, 'complete');
    sameRunResults(single, out);
  });

  test('a run started with its workspace above the spec (a spec in a subfolder reading ../data) merges', async () => {
    const scoped = path.join(dir, 'scoped');
    fs.mkdirSync(scoped);
    const original = JSON.parse(fs.readFileSync(spec, 'utf8'));
    const up = (file: string) => `../${file}`;
    const sets = original.subroutines as Record<string, Record<string, string>>;
    const subroutines = Object.fromEntries(Object.entries(sets)
      .map(([name, sets]) => [name, Object.fromEntries(Object.entries(sets).map(([k, f]) => [k, up(f)]))]));
    const scopedSpec = path.join(scoped, 'scoped.subnet.json');
    fs.writeFileSync(scopedSpec, JSON.stringify({ ...original, model: up(original.model), subroutines }));
    const out = path.join(dir, '.subnetwork-lens', 'runs', 'scoped-run');
    const hooks = { signal: new AbortController().signal, onProgress() {} };
    const found = await runFind({ specPath: scopedSpec, workspaceRoot: dir, outDir: out, threads: 1 }, hooks);
    assert.equal(found.status, 'complete');
    const c = capture();
    assert.equal(await merge.run([out], c.io), 0);
    assert.equal(c.text(), `merged 4 of 4 work items: ${out} (run complete)\n`);
  });

  test('refuses a folder whose shards are all queued, one that is not a run, and one a shard works in', async () => {
    const queued = path.join(dir, 'queued');
    assert.equal(await plan.run([spec, '--shards', '2', '--out', queued, '--slurm'], quiet), 0);
    const none = /queued: no shard of the 2 planned has started yet: nothing to merge/;
    await assert.rejects(merge.run([queued], quiet), none);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-empty-'));
    await assert.rejects(merge.run([empty], quiet), /no run\.json here: not a run folder/);
    const busy = path.join(dir, 'busy');
    assert.equal(await shard(busy, 1), 0);
    const lock = { pid: process.ppid, host: os.hostname(), started: new Date().toISOString() };
    fs.mkdirSync(path.join(busy, 'locks'));
    fs.writeFileSync(path.join(busy, 'locks', 'shard-0-of-2.lock'), JSON.stringify(lock));
    await assert.rejects(merge.run([busy], quiet), /shard 0\/2 \(pid \d+\) is running in this folder; wait for it/);
  });
});
