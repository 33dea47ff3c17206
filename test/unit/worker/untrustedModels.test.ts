// The views process (src/worker/worker.ts, forked by WorkerClient) on models a hostile repository could
// ship: in Restricted Mode it never runs them; trusted, a probe that does not finish is stopped by the
// watchdog, the request fails with a clear message, the next request gets a fresh process, and the
// host's event loop keeps running throughout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeModel } from '../../../src/core/onnx/writeModel';
import { WorkerClient } from '../../../src/extension/WorkerClient';
import { endlessLoopModel, hugeExpandModel } from '../../support/hostileModels';

const repoRoot = path.resolve(__dirname, '../../..');
const workerPath = path.join(repoRoot, 'src/worker/worker.ts');
const mlpPath = path.join(repoRoot, 'test/fixtures/mlp.onnx');
const TIMEOUT_MS = 6000;

let dir: string;
let loopPath: string;
let expandPath: string;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'untrusted-models-'));
  loopPath = path.join(dir, 'loop.onnx');
  expandPath = path.join(dir, 'expand.onnx');
  writeModel(loopPath, endlessLoopModel());
  writeModel(expandPath, hugeExpandModel());
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function views(lines: string[]): WorkerClient {
  const execArgv = ['--import', 'tsx'];
  return new WorkerClient({ workerPath, log: (l) => lines.push(l), execArgv, timeoutMs: TIMEOUT_MS });
}

/** Largest gap between ticks of a 50 ms interval while `work` runs: the host's event loop never stalls. */
async function largestTickGap<T>(work: Promise<T>): Promise<{ gap: number; settled: PromiseSettledResult<T> }> {
  let last = Date.now();
  let gap = 0;
  const timer = setInterval(() => {
    gap = Math.max(gap, Date.now() - last);
    last = Date.now();
  }, 50);
  const [settled] = await Promise.allSettled([work]);
  clearInterval(timer);
  return { gap, settled: settled! };
}

describe('views process on hostile models', { timeout: 60_000 }, () => {
  test('Restricted Mode: a 10¹²-trip Loop and an Expand to 10¹² floats are shown from static shapes', async () => {
    const lines: string[] = [];
    const c = views(lines);
    try {
      const loop = await c.run('layerGraph', { modelPath: loopPath, trusted: false }).result;
      const looped = loop.edges.find((e) => e.tensor === 'looped');
      assert.ok(looped, 'the Loop output edge is drawn');
      assert.equal(looped.shape, null, 'a Loop output is unknown without running the model');
      const expand = await c.run('layerGraph', { modelPath: expandPath, trusted: false }).result;
      assert.deepEqual(expand.edges.find((e) => e.tensor === 'big')?.shape, [1_000_000, 1_000_000]);
      assert.ok(!lines.some((l) => /timed out/.test(l)), lines.join('\n'));
    } finally {
      c.dispose();
    }
  });

  test('trusted: an Expand too large to probe is shown from static shapes without a probe run', async () => {
    const lines: string[] = [];
    const c = views(lines);
    try {
      const view = await c.run('layerGraph', { modelPath: expandPath, trusted: true }).result;
      assert.deepEqual(view.edges.find((e) => e.tensor === 'big')?.shape, [1_000_000, 1_000_000]);
      assert.ok(lines.some((l) => /not measured: a tensor takes 4000000000000 bytes/.test(l)), lines.join('\n'));
    } finally {
      c.dispose();
    }
  });

  test('trusted: a looping probe is killed by the watchdog, the request fails clearly, the next works', async () => {
    const lines: string[] = [];
    const c = views(lines);
    try {
      await c.run('layerGraph', { modelPath: mlpPath, trusted: true }).result;
      const firstPid = c.pid;
      const started = Date.now();
      const { gap, settled } = await largestTickGap(c.run('layerGraph', { modelPath: loopPath, trusted: true }).result);
      const waited = Date.now() - started;
      assert.equal(settled.status, 'rejected');
      const error = (settled as PromiseRejectedResult).reason as Error;
      assert.equal(error.name, 'WorkerTimeoutError');
      assert.match(error.message, /did not answer within 6 s .*stopped and starts afresh on the next request/);
      assert.ok(waited < TIMEOUT_MS + 3000, `the request failed after ${waited} ms`);
      assert.ok(gap < 1000, `the host's event loop stalled for ${gap} ms`);
      assert.ok(lines.some((l) => /timed out after 6 s; stopping the compute process/.test(l)), lines.join('\n'));

      const view = await c.run('layerGraph', { modelPath: mlpPath, trusted: true }).result;
      assert.ok(view.nodes.length > 0);
      assert.notEqual(c.pid, firstPid, 'a fresh process serves the next request');
      assert.throws(() => process.kill(firstPid!, 0), 'the stuck process is gone');
    } finally {
      c.dispose();
    }
  });
});
