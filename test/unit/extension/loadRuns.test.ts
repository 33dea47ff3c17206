// The Runs tree's data: run folders grouped by the model they name; a run naming a model outside the
// workspace is a problem line (never a model row the tree would open), a planned run waits as queued.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { groupRunsByModel, loadRuns } from '../../../src/extension/loadRuns';
import { writePlanRecord } from '../../../src/core/runStore/planRecord';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'load-runs-'));
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'load-runs-outside-'));
after(() => {
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});
const runs = path.join(workspace, '.subnetwork-lens', 'runs');
const model = path.join(workspace, 'model.onnx');
const secret = path.join(outside, 'secret.onnx');

function run(name: string, runModel: string, created: string): string {
  const dir = path.join(runs, name);
  fs.mkdirSync(dir, { recursive: true });
  const specPath = path.join(workspace, 't.subnet.json');
  const info = { id: name, model: runModel, specPath, status: 'complete', created };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(info));
  fs.writeFileSync(path.join(dir, 'results.json'), '{}');
  return dir;
}

describe('loadRuns and groupRunsByModel', () => {
  fs.writeFileSync(model, '');
  fs.writeFileSync(secret, '');
  run('r-old', model, '2026-01-01T00:00:00Z');
  run('r-new', '../../../model.onnx', '2026-02-01T00:00:00Z');
  run('r-escape', secret, '2026-03-01T00:00:00Z');
  run('r-passwd', '../../../../../../../../etc/passwd', '2026-03-01T00:00:00Z');
  run('r-gone', path.join(workspace, 'deleted.onnx'), '2026-03-01T00:00:00Z');
  const plan = { scheduler: 'slurm' as const, shards: 4, items: 8, specPath: path.join(workspace, 't.subnet.json'),
    seeds: [0], subroutines: ['A', 'B'], created: '2026-03-02T00:00:00Z' };
  writePlanRecord(path.join(runs, 'q-inside'), { ...plan, model });
  writePlanRecord(path.join(runs, 'q-outside'), { ...plan, model: secret });
  fs.mkdirSync(path.join(runs, 'not-started'));

  test('a run whose model lies outside the workspace is a problem line with the reason, not a model', async () => {
    const loaded = await loadRuns(runs);
    assert.equal(loaded.runs.length, 5);
    assert.equal(loaded.queued.length, 2);
    const same = (a: string, b: string) => a === b;
    const { models, problems } = groupRunsByModel(loaded, [model], [workspace], same);
    assert.deepEqual(models.map((m) => m.model), [model, path.join(workspace, 'deleted.onnx')]);
    assert.deepEqual(models[0]!.runs.map((r) => r.info.id), ['r-new', 'r-old']);
    assert.deepEqual(models[0]!.queued.map((q) => path.basename(q.dir)), ['q-inside']);
    assert.equal(models[0]!.queued[0]!.progress.started, 0);
    const refused = (name: string, file: string, m: string) =>
      `${name}: ${path.join(runs, name, file)}: the model ${m} lies outside the workspace, so it is not opened`;
    assert.deepEqual(problems.sort(), [
      refused('q-outside', 'plan.json', secret),
      refused('r-escape', 'run.json', secret),
      refused('r-passwd', 'run.json', '../../../../../../../../etc/passwd'),
    ]);
    assert.ok(!models.some((m) => m.model === secret || m.model === '/etc/passwd'));
  });
});
