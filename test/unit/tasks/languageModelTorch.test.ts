// The built-in language encoder against what we did not write: PyTorch autograd on the same encoder
// (test/fixtures/language_encoder_torch.py, float64, weights read from the ONNX initializers), and the
// engine's gradcheck (float64 finite differences; the float32 training graph against float64).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLOAT32_TOLERANCE, GRADCHECK_TOLERANCE } from '../../../src/jobs/gradcheck';
import { isMaskable } from '../../../src/core/masks/isMaskable';
import { attribute } from '../../../src/core/train/attribute';
import { gradcheck } from '../../../src/core/train/gradcheck';
import { arrayData } from '../../../src/core/train/TrainingData';
import { writeModel } from '../../../src/core/onnx/writeModel';
import { makeLanguageModel, type LanguageModelOptions } from '../../../src/core/tasks/makeLanguageModel';
import { makeLanguageProblems } from '../../../src/core/tasks/makeLanguageProblems';
import { Rng } from '../../../src/core/util/random';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '..', '..', 'fixtures', 'language_encoder_torch.py');
const HEAD = { type: 'odd-one-out' as const, group: 4 };
const PROBLEMS = 3;
const LENGTH = 14;
/** Small enough for a fast test; two layers so both the first and the last layer are compared. */
const SIZE = { dim: 16, heads: 2, layers: 2, mlpDim: 24, embedDim: 8 };

const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
const torchMissing = probe.status === 0 ? false
  : `needs ${PYTHON} with torch and onnx (apt-get install python3-torch python3-onnx): `
    + `${(probe.error?.message ?? probe.stderr).trim().split('\n').at(-1)}`;

function problems() {
  const set = makeLanguageProblems('agreement', 'task', PROBLEMS, new Rng(8));
  const x = set.inputs.x!.data as BigInt64Array;
  const data = arrayData({ x: { data: x, dims: [PROBLEMS, 4, LENGTH] } }, set.labels.data as BigInt64Array, 4);
  return { x, labels: set.labels.data as BigInt64Array, data };
}

/** ‖ours − torch‖ / ‖torch‖. */
function relativeError(ours: ArrayLike<number>, torch: number[]): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < torch.length; i++) { diff += (ours[i]! - torch[i]!) ** 2; norm += torch[i]! ** 2; }
  return Math.sqrt(diff / norm);
}

describe('language encoder', () => {
  for (const norm of ['pre', 'post'] as const) {
    const options: LanguageModelOptions = { seed: 3, ...SIZE, norm };
    test(`${norm}-LN: attribute matches PyTorch autograd on every weight matrix`, { skip: torchMissing }, async (t) => {
      const model = makeLanguageModel(options);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'language-torch-'));
      writeModel(path.join(dir, 'model.onnx'), model);
      const { x, labels, data } = problems();
      const ids = Array.from(x, Number);
      assert.ok(ids.includes(0), 'the batch has padding, so the attention mask is exercised');
      fs.writeFileSync(path.join(dir, 'case.json'), JSON.stringify({
        x: ids, labels: Array.from(labels, Number), problems: PROBLEMS, length: LENGTH, ...SIZE, norm,
      }));
      const run = spawnSync(PYTHON, [SCRIPT, path.join(dir, 'model.onnx'), path.join(dir, 'case.json')],
        { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(run.status, 0, run.stderr);
      const torch = JSON.parse(run.stdout) as { attribution: Record<string, number[]> };
      const tensors = [...model.graph.initializers.values()].filter((w) => isMaskable(w)).map((w) => w.name);
      assert.deepEqual(tensors.slice().sort(), Object.keys(torch.attribution).sort());
      const ours = await attribute(model, data, { output: 'z', head: HEAD, tensors, threads: 1 });
      let worst = 0;
      for (const name of tensors) {
        const err = relativeError(ours.get(name)!, torch.attribution[name]!);
        assert.ok(err <= 1e-4, `${name}: ‖ours − torch‖/‖torch‖ = ${err}`);
        worst = Math.max(worst, err);
      }
      t.diagnostic(`${tensors.length} tensors, worst relative error ${worst.toExponential(2)}`);
    });
  }

  test('gradcheck passes in float64 and on the float32 training graph', async (t) => {
    const model = makeLanguageModel({ seed: 4, ...SIZE });
    const { data } = problems();
    const tensors = ['embed.tokens.weight', 'encoder.layer0.attn.q.weight', 'encoder.layer1.mlp.fc1.weight',
      'head.pooler.weight', 'head.out.weight'];
    const batch = data.rows(Uint32Array.from({ length: PROBLEMS }, (_, i) => i));
    const report = await gradcheck(model, batch, { output: 'z', head: HEAD, tensors, samples: 3, threads: 1 });
    for (const r of report.tensors) {
      const [f64, f32] = [r.maxRelativeError, r.float32Deviation];
      t.diagnostic(`${r.tensor}: float64 ${f64.toExponential(2)}, float32 ${f32.toExponential(2)}`);
      assert.ok(f64 <= GRADCHECK_TOLERANCE, `${r.tensor}: finite differences off by ${f64}`);
      assert.ok(f32 <= FLOAT32_TOLERANCE, `${r.tensor}: float32 graph off by ${f32}`);
    }
  });
});
