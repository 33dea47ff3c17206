import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import type { ResultsFile } from '../../../src/shared/results';
import { shardItems } from '../../../src/core/runStore/shardItems';
import { planItems } from '../../../src/jobs/runFind';
import { loadSpec } from '../../../src/core/data/loadSpec';
import { sameRunResults } from './sameRunResults';
import { plantedWorkspace, quiet, readRunInfo, runCli } from './scaleHelpers';

describe('shardItems', () => {
  test('the shards of a plan are disjoint, cover it, and do not depend on who asks', () => {
    const plan = planItems(loadSpec(plantedWorkspace('shard-plan-').spec));
    assert.equal(plan.length, 8);
    const key = (w: object) => JSON.stringify(w);
    for (const count of [1, 2, 3, 8, 11]) {
      const parts = Array.from({ length: count }, (_, index) => shardItems(plan, { index, count }));
      assert.deepEqual(parts.flat().map(key).sort(), plan.map(key).sort());
      assert.ok(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length)) <= 1);
    }
  });

  test('--shard is K/N with 0 ≤ K < N and needs --out', async () => {
    for (const bad of ['3/3', '1', '1/0', 'a/b', '0/2/4']) {
      const shard = find.run(['x.subnet.json', '--out', 'd', '--shard', bad], quiet);
      await assert.rejects(shard, /--shard must be K\/N with 0 ≤ K < N/);
    }
    await assert.rejects(find.run(['x.subnet.json', '--shard', '0/2'], quiet), /--shard needs --out DIR/);
  });
});

describe('sharded find', () => {
  const { dir, spec } = plantedWorkspace('shards-');
  const single = path.join(dir, 'single');
  before(async () => {
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
  });

  test('three shard processes writing one folder give the one-process masks, results.json and csv', async () => {
    const sharded = path.join(dir, 'sharded');
    const shard = (k: number) => runCli(['find', spec, '--out', sharded, '--shard', `${k}/3`, '--threads', '1']);
    const shards = await Promise.all([0, 1, 2].map(shard));
    for (const s of shards) assert.equal(s.code, 0, s.stderr);
    assert.ok(shards.some((s) => /^run complete: /m.test(s.stdout)), 'the last shard to finish printed the results');
    const run = readRunInfo(sharded);
    assert.equal(run.status, 'complete');
    assert.equal(run.done.length, 8);
    assert.equal(fs.existsSync(path.join(sharded, 'locks')), false);
    sameRunResults(single, sharded);
  });

  test('a shard alone leaves the run running; find --resume finishes and assembles it like one process', async () => {
    const sharded = path.join(dir, 'resumed');
    const out: string[] = [];
    const io = { out: (t: string) => { out.push(t); }, err() {} };
    assert.equal(await find.run([spec, '--out', sharded, '--shard', '1/4', '--threads', '1'], io), 0);
    assert.match(out.join(''), /^shard done: .* \(6 work items left to the other shards\)$/m);
    const partial = readRunInfo(sharded);
    assert.equal(partial.status, 'running');
    assert.equal(partial.done.length, 2);
    const results = JSON.parse(fs.readFileSync(path.join(sharded, 'results.json'), 'utf8')) as ResultsFile;
    assert.equal(results.partial, true);
    assert.equal(await find.run([spec, '--resume', sharded, '--threads', '1'], quiet), 0);
    assert.equal(readRunInfo(sharded).status, 'complete');
    sameRunResults(single, sharded);
  });
});
