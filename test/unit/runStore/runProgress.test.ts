// A run whose shards wait in a scheduler's queue is queued, not crashed; a started shard whose
// heartbeat stopped is stalled. Read through readRun, as the Runs view reads it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { plan } from '../../../src/cli/commands/plan';
import { find } from '../../../src/cli/commands/find';
import { readRun } from '../../../src/core/runStore/readRun';
import { readPlanRecord } from '../../../src/core/runStore/planRecord';
import { runProgressText, shardLines } from '../../../src/core/runStore/runProgress';
import { readShardRecords, shardRecordFile, STALL_MS, writeShardRecord } from '../../../src/core/runStore/shardRecords';
import { runFind } from '../../../src/jobs/runFind';
import { plantedWorkspace, quiet } from '../scale/scaleHelpers';

const HOUR = 3_600_000;
/** A pid that no process has any more. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('run progress by shard', () => {
  const { dir, spec } = plantedWorkspace('run-progress-', { seeds: [0, 1], randomInit: false });

  test('plan --slurm records the planned shards; the run is queued, and stays so for hours', async () => {
    const out = path.join(dir, 'planned');
    assert.equal(await plan.run([spec, '--shards', '3', '--out', out, '--slurm'], quiet), 0);
    const planned = readPlanRecord(out)!;
    assert.equal(planned.scheduler, 'slurm');
    assert.equal(planned.shards, 3);
    assert.equal(planned.items, 4);
    assert.deepEqual(planned.subroutines, ['A', 'B']);
    const later = readRun(out, { now: Date.now() + 5 * HOUR });
    assert.equal(later.stale, false);
    assert.equal(runProgressText(later.progress!), 'queued (0 of 3 shards started)');
    assert.deepEqual(shardLines(later.progress!), ['shard 0/3: queued', 'shard 1/3: queued', 'shard 2/3: queued']);
  });

  test('a shard records its state while it runs; shards still queued never make the run stale', async () => {
    const out = path.join(dir, 'one-shard');
    assert.equal(await plan.run([spec, '--shards', '2', '--out', out, '--slurm'], quiet), 0);
    const seen: string[] = [];
    const result = await runFind({ specPath: spec, outDir: out, shard: { index: 1, count: 2 }, threads: 1 }, {
      signal: new AbortController().signal,
      onProgress: () => {
        const r = readShardRecords(out);
        if (r.length) seen.push(`${r[0]!.state} ${r[0]!.pid === process.pid} ${r[0]!.done}/${r[0]!.total}`);
      },
    });
    assert.equal(result.itemsLeft, 2);
    assert.ok(seen.includes(`running true 0/2`), seen.join('; '));
    const run = readRun(out, { now: Date.now() + 5 * HOUR });
    assert.equal(run.status, 'running');
    assert.equal(run.stale, false);
    assert.equal(runProgressText(run.progress!), '1 of 2 shards started');
    assert.deepEqual(shardLines(run.progress!), ['shard 0/2: queued', 'shard 1/2: done, 2 of 2 items']);
  });

  test('a started shard whose process died, or whose heartbeat stopped on another host, is stalled', async () => {
    const out = path.join(dir, 'stalled');
    assert.equal(await find.run([spec, '--out', out, '--shard', '0/2', '--threads', '1'], quiet), 0);
    const [record] = readShardRecords(out);
    const now = Date.now();
    const heartbeat = new Date(now).toISOString();
    writeShardRecord(out, { ...record!, index: 1, state: 'running', pid: deadPid(), heartbeat });
    let run = readRun(out, { now });
    assert.equal(run.stale, true);
    assert.equal(runProgressText(run.progress!), '0 of 2 shards running, 1 stalled (no heartbeat)');
    // Another host's pid cannot be checked: its heartbeat decides.
    const remote = { ...record!, index: 1, state: 'running' as const, host: 'node-7', pid: 1 };
    writeShardRecord(out, { ...remote, heartbeat: new Date(now - 1000).toISOString() });
    run = readRun(out, { now });
    assert.equal(run.stale, false);
    assert.equal(runProgressText(run.progress!), '1 of 2 shards running');
    run = readRun(out, { now: now + STALL_MS + 1000 });
    assert.equal(run.stale, true);
    assert.deepEqual(shardLines(run.progress!), ['shard 0/2: done, 2 of 2 items', 'shard 1/2: stalled, 2 of 2 items']);
    fs.rmSync(shardRecordFile(out, { index: 1, count: 2 }));
    assert.equal(readRun(out, { now: now + 5 * HOUR }).stale, false);
  });

  test('a run from before shard records keeps the old rule (run.json not updated for 2 minutes)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'run-progress-old-'));
    const updated = new Date(Date.now() - 10 * 60_000).toISOString();
    fs.writeFileSync(path.join(out, 'run.json'), JSON.stringify({ id: 'old', status: 'running', updated }));
    const run = readRun(out);
    assert.equal(run.progress, null);
    assert.equal(run.stale, true);
  });
});
