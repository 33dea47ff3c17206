// The extension's parallel find: J compute processes (shards of one run folder) behind one job handle.
// With fake workers: combined progress, Cancel reaching every process, one failure stopping the others.
// With real compute processes (src/worker/worker.ts): J = 2 writes the results of J = 1.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FindOptions, FindResult, ProgressEvent } from '../../../src/shared/jobs';
import { runShardedFind } from '../../../src/extension/runShardedFind';
import { WorkerClient, type JobHandle } from '../../../src/extension/WorkerClient';
import { readShardRecords } from '../../../src/core/runStore/shardRecords';
import { sameRunResults } from '../scale/sameRunResults';
import { plantedWorkspace, readRunInfo, repoRoot } from '../scale/scaleHelpers';

interface FakeJob {
  options: FindOptions;
  progress: (e: ProgressEvent) => void;
  resolve: (r: FindResult) => void;
  reject: (e: Error) => void;
  cancelled: boolean;
}

function fakeWorkers(count: number) {
  const jobs: FakeJob[] = [];
  const workers = Array.from({ length: count }, (_, k) => ({
    run: ((_kind: 'find', options: FindOptions, onProgress: (e: ProgressEvent) => void): JobHandle<FindResult> => {
      let job!: FakeJob;
      const result = new Promise<FindResult>((resolve, reject) => {
        job = { options, progress: onProgress, resolve, reject, cancelled: false };
      });
      jobs[k] = job;
      return { id: k + 1, result, cancel: () => { job.cancelled = true; }, hardKilled: false };
    }) as unknown as WorkerClient['run'],
  }));
  return { workers, jobs };
}

const abort = () => Object.assign(new Error('cancelled'), { name: 'AbortError' });

function runFolder(status = 'running'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharded-find-'));
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ total: 4, done: [{}], status }));
  return dir;
}

describe('runShardedFind with fake compute processes', () => {
  test('runs shard k/J in process k; the progress of all becomes one stream', async () => {
    const { workers, jobs } = fakeWorkers(2);
    const outDir = runFolder('complete');
    const events: ProgressEvent[] = [];
    const handle = runShardedFind(workers, { specPath: 's', outDir }, 3, (e) => events.push(e));
    assert.deepEqual(jobs.map((j) => [j.options.shard, j.options.threads, j.options.outDir]),
      [[{ index: 0, count: 2 }, 3, outDir], [{ index: 1, count: 2 }, 3, outDir]]);
    const step = (k: number, saved: number, s: number) => jobs[k]!.progress({
      fraction: (saved + s / 10) / 4, phase: 'train-mask', step: s, steps: 10, message: `A, seed ${k}: step ${s}/10`,
    });
    step(0, 0, 5);
    step(1, 0, 2);
    jobs[0]!.progress({ fraction: 1 / 4, phase: 'evaluate', message: 'A, seed 0 done' });
    step(1, 0, 6);
    step(0, 2, 1);
    const fractions = events.map((e) => Math.round(e.fraction * 1000) / 1000);
    assert.deepEqual(fractions, [0.125, 0.175, 0.3, 0.4, 0.675]);
    assert.deepEqual(events.slice(0, 3).map((e) => e.message),
      ['process 1/2: A, seed 0: step 5/10', 'process 2/2: A, seed 1: step 2/10', 'process 1/2: A, seed 0 done']);
    jobs[0]!.resolve({ runDir: outDir, status: 'complete', itemsLeft: 1 });
    jobs[1]!.resolve({ runDir: outDir, status: 'complete', itemsLeft: 0 });
    assert.deepEqual(await handle.result, { runDir: outDir, status: 'complete', itemsLeft: 0 });
  });

  test('Cancel reaches every process; the run is cancelled with what it has left', async () => {
    const { workers, jobs } = fakeWorkers(3);
    const outDir = runFolder();
    const handle = runShardedFind(workers, { specPath: 's', outDir }, 1, () => {});
    handle.cancel();
    assert.deepEqual(jobs.map((j) => j.cancelled), [true, true, true]);
    jobs[0]!.resolve({ runDir: outDir, status: 'cancelled' });
    jobs[1]!.resolve({ runDir: outDir, status: 'complete', itemsLeft: 3 });
    jobs[2]!.resolve({ runDir: outDir, status: 'cancelled' });
    assert.deepEqual(await handle.result, { runDir: outDir, status: 'cancelled', itemsLeft: 3 });
    const again = fakeWorkers(2);
    const h2 = runShardedFind(again.workers, { specPath: 's', outDir }, 1, () => {});
    h2.cancel();
    again.jobs[0]!.reject(abort());
    again.jobs[1]!.resolve({ runDir: outDir, status: 'cancelled' });
    await assert.rejects(h2.result, { name: 'AbortError' });
  });

  test('a failure in one process stops the others and is the outcome', async () => {
    const { workers, jobs } = fakeWorkers(2);
    const outDir = runFolder();
    const handle = runShardedFind(workers, { specPath: 's', outDir }, 1, () => {});
    jobs[1]!.reject(Object.assign(new Error('dataset train.npz: row 4: label 3'), { name: 'DataError' }));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(jobs.map((j) => j.cancelled), [true, true]);
    jobs[0]!.reject(abort());
    await assert.rejects(handle.result, { name: 'DataError', message: /label 3/ });
  });
});

describe('runShardedFind with real compute processes', () => {
  test('J = 2 processes write the masks, results.json and results.csv of J = 1', async () => {
    const { dir, spec } = plantedWorkspace('sharded-find-real-', { seeds: [0, 1], randomInit: false });
    const workerPath = path.join(repoRoot, 'src/worker/worker.ts');
    const lines: string[] = [];
    const client = () => new WorkerClient({ workerPath, log: (l) => lines.push(l), execArgv: ['--import', 'tsx'] });
    const clients = [client(), client()];
    try {
      const one = path.join(dir, 'one');
      const single = await clients[0]!.run('find', { specPath: spec, outDir: one, threads: 1 }).result;
      assert.equal(single.status, 'complete');
      const two = path.join(dir, 'two');
      const fractions: number[] = [];
      const handle = runShardedFind(clients, { specPath: spec, outDir: two }, 1, (e) => fractions.push(e.fraction));
      assert.deepEqual(await handle.result, { runDir: two, status: 'complete', itemsLeft: 0 }, lines.join('\n'));
      assert.equal(readRunInfo(two).status, 'complete');
      assert.ok(fractions.length > 0 && Math.max(...fractions) === 1, `fractions ${fractions.slice(-5).join(', ')}`);
      assert.equal(readRunInfo(two).done.length, 4);
      const records = readShardRecords(two).sort((a, b) => a.index - b.index);
      const states = records.map((r) => `${r.index}/${r.count} ${r.state} ${r.done}/${r.total}`);
      assert.deepEqual(states, ['0/2 done 2/2', '1/2 done 2/2']);
      assert.deepEqual(new Set(records.map((r) => r.pid)), new Set(clients.map((c) => c.pid)));
      sameRunResults(one, two);
    } finally {
      for (const c of clients) c.dispose();
    }
  });
});
