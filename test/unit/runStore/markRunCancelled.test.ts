import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { markRunCancelled } from '../../../src/core/runStore/markRunCancelled';

function runDir(status: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mark-cancelled-'));
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: 'r1', status, created: new Date(Date.now() - 5000).toISOString(), updated: 'x', timings: { totalMs: 10 } }));
  fs.mkdirSync(path.join(dir, 'masks', 'inside'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'masks', 'inside', '.seed-0.safetensors.123.456.tmp'), 'half');
  fs.writeFileSync(path.join(dir, 'masks', 'inside', 'seed-0.safetensors'), 'whole');
  return dir;
}

describe('markRunCancelled', () => {
  test('marks a run left running as cancelled and removes half-written temp files only', () => {
    const dir = runDir('running');
    const r = markRunCancelled(dir);
    assert.deepEqual(r, { marked: true, tempFilesRemoved: 1, status: 'cancelled' });
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    assert.equal(info.status, 'cancelled');
    assert.equal(info.error.name, 'AbortError');
    assert.ok(info.timings.totalMs >= 5000);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'masks', 'inside')), ['seed-0.safetensors']);
  });

  test('leaves a run the engine already finished or marked alone', () => {
    for (const status of ['complete', 'cancelled', 'failed']) {
      const dir = runDir(status);
      assert.equal(markRunCancelled(dir).marked, false);
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).status, status);
    }
  });

  test('does nothing when the run never wrote its run.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mark-cancelled-'));
    assert.deepEqual(markRunCancelled(dir), { marked: false, tempFilesRemoved: 0 });
  });
});
