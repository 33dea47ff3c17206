import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDemo } from '../../../src/jobs/runDemo';

describe('stopping the demo', () => {
  test('while a base model is pruned marks its task cancelled and writes a partial summary',
    { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cancel-'));
    const controller = new AbortController();
    let stoppedWhilePruning = false;
    const summary = await runDemo({
      outDir: dir, preset: 'quick', tasks: ['inside-contact'], variants: ['pruned'], threads: 2,
      signal: controller.signal,
      onProgress: (_task, e) => {
        if (e.phase === 'train-mask' && e.message.startsWith('pruning mask')) {
          stoppedWhilePruning = true;
          controller.abort();
        }
      },
    });
    assert.ok(stoppedWhilePruning, 'the pruning mask never reported progress');
    assert.equal(summary.cancelled, true);
    assert.equal(summary.tasks.length, 1);
    const [task] = summary.tasks;
    assert.equal(task!.status, 'cancelled');
    assert.equal(task!.pruning, undefined);
    assert.deepEqual(task!.runs, []);
    assert.deepEqual(summary.rows, []);
    assert.match(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8'), /cancelled: partial results/);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { cancelled: boolean };
    assert.equal(written.cancelled, true);
  });
});
