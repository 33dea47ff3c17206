// Static shape inference checked against onnxruntime running the same files: the test fixtures, the
// built-in task models and models exported by PyTorch (torchvision ResNet-18 / MobileNetV2 at opset 13
// and 17, a transformer encoder, a small U-Net). Every dim the static pass states must be the dim
// onnxruntime produces; unknown is allowed, wrong is not. The share it infers is printed per model.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { inferShapesStatically } from '../../../src/core/onnx/inferShapesStatically';
import type { Dim, Model } from '../../../src/core/onnx/ir';
import { readModel } from '../../../src/core/onnx/readModel';
import { makeLanguageModel } from '../../../src/core/tasks/makeLanguageModel';
import { makeVisionModel } from '../../../src/core/tasks/makeVisionModel';
import { opCoverageModel } from '../../support/opCoverageModel';

const repoRoot = path.resolve(__dirname, '../../..');
const fixtures = path.join(repoRoot, 'test/fixtures');
const PYTHON = '/usr/bin/python3';

/** Sizes the symbolic input dims are bound to for the onnxruntime run (distinct, so a swap shows). */
function sizesFor(model: Model): Record<string, number> {
  const sizes: Record<string, number> = {};
  let next = 3;
  for (const input of model.graph.inputs) {
    for (const d of input.shape ?? []) if (typeof d === 'string' && d !== '' && !(d in sizes)) sizes[d] = next++;
  }
  return sizes;
}

interface Comparison {
  values: number;
  valuesInferred: number;
  dims: number;
  dimsInferred: number;
  mismatches: string[];
}

async function compareWithOnnxruntime(model: Model): Promise<Comparison> {
  const sizes = sizesFor(model);
  const measured = await inferShapes(model, { batch: sizes });
  const stated = inferShapesStatically(model);
  const c: Comparison = { values: 0, valuesInferred: 0, dims: 0, dimsInferred: 0, mismatches: [] };
  for (const [name, actual] of measured) {
    if (!actual.every((d) => typeof d === 'number')) continue;
    c.values++;
    c.dims += actual.length;
    const shape = stated.get(name);
    if (!shape) continue;
    if (shape.length !== actual.length) {
      c.mismatches.push(`${name}: static [${shape}] vs onnxruntime [${actual}]`);
      continue;
    }
    // A symbol stands for the size it was bound to; one the inputs do not carry (an exporter's name) is unknown.
    const bound = shape.map((d): Dim => (typeof d === 'string' ? sizes[d] ?? null : d));
    if (bound.some((d, i) => d !== null && d !== actual[i])) {
      c.mismatches.push(`${name}: static [${shape}] vs onnxruntime [${actual}]`);
      continue;
    }
    const known = bound.filter((d) => d !== null).length;
    c.dimsInferred += known;
    if (known === actual.length) c.valuesInferred++;
  }
  return c;
}

const percent = (a: number, b: number) => `${b ? ((100 * a) / b).toFixed(1) : '100.0'} %`;

async function check(label: string, model: Model, minimumShare: number): Promise<void> {
  const c = await compareWithOnnxruntime(model);
  const values = `${c.valuesInferred}/${c.values} values (${percent(c.valuesInferred, c.values)})`;
  const dims = `${c.dimsInferred}/${c.dims} dims (${percent(c.dimsInferred, c.dims)})`;
  console.log(`${label}: ${values}, ${dims} inferred statically, ${c.mismatches.length} wrong`);
  assert.deepEqual(c.mismatches, [], `${label}: static shapes that differ from onnxruntime's`);
  assert.ok(c.values > 0, `${label}: onnxruntime measured no tensor`);
  assert.ok(c.valuesInferred / c.values >= minimumShare,
    `${label}: only ${percent(c.valuesInferred, c.values)} of values inferred (expected ≥ ${100 * minimumShare} %)`);
}

/** Exports the PyTorch models once per version of the export script; null (with the reason) without torch. */
function torchModels(): { dir: string } | { skip: string } {
  const script = path.join(fixtures, 'export_shape_models.py');
  const hash = crypto.createHash('sha256').update(fs.readFileSync(script)).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `subnetwork-lens-shape-models-${hash}`);
  if (fs.existsSync(path.join(dir, 'done'))) return { dir };
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const packages = 'python3-torch python3-torchvision python3-onnx';
    return { skip: `${PYTHON} has no torch/torchvision/onnx (apt-get install ${packages})` };
  }
  const run = spawnSync(PYTHON, [script, dir], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) {
    throw new Error(`export_shape_models.py failed: ${run.stderr.split('\n').filter(Boolean).at(-1)}`);
  }
  fs.writeFileSync(path.join(dir, 'done'), '');
  return { dir };
}

describe('inferShapesStatically against onnxruntime', () => {
  for (const name of ['mlp', 'cnn', 'attention']) {
    test(`fixture ${name}.onnx`, async () => {
      await check(`${name}.onnx`, readModel(path.join(fixtures, `${name}.onnx`)), 0.9);
    });
  }

  test('built-in task models (vision, language)', async () => {
    await check('vision task model', makeVisionModel({ seed: 0 }), 0.9);
    await check('language task model', makeLanguageModel({ seed: 0 }), 0.9);
  });

  test('one model with Split, Slice (negative steps), Resize, ConvTranspose, pooling, TopK, ' +
    'Pad… (opset 18)', async () => {
    await check('op coverage model', opCoverageModel(), 0.8);
  });

  const models = torchModels();
  // Minimum shares: what the rules reach today. Heads × batch (a product of symbols) stays unknown in the
  // transformer's attention reshapes.
  const files: [string, number][] = [
    ['resnet18_op13', 1], ['resnet18_op17', 1], ['mobilenet_v2_op13', 1], ['mobilenet_v2_op17', 1],
    ['transformer_op17', 0.85], ['unet_op13', 1],
  ];
  for (const [file, share] of files) {
    test(`PyTorch export ${file}.onnx`, { skip: 'skip' in models ? models.skip : false }, async () => {
      await check(`${file}.onnx`, readModel(path.join((models as { dir: string }).dir, `${file}.onnx`)), share);
    });
  }
});
