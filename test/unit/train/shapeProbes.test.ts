// One `find` measures its model's shapes once per model: the training graph of every mask trial and the
// evaluator of each variant reuse that probe (runtime/modelShapes.ts) instead of running onnxruntime again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFind } from '../../../src/jobs/runFind';
import { shapeProbes } from '../../../src/core/runtime/inferShapes';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';

test('a find run with the random-init control probes shapes twice: once per model', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-probes-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // 2 subroutines × 2 seeds × (trained, random-init) = 8 mask trials, each building a training graph.
  const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 1 }, {
    seeds: [0, 1], controls: { randomInit: true, randomAblations: 2, ablationModes: ['zero'] },
  });
  const before = shapeProbes.count;
  const { status } = await runFind({ specPath: spec }, { onProgress: () => {}, signal: new AbortController().signal });
  assert.equal(status, 'complete');
  assert.equal(shapeProbes.count - before, 2);
});
