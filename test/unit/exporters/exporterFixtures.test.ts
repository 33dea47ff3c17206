// Today's PyTorch exports (../shared/fixtures/exporters, see its README): small Hugging Face classifiers,
// each exported by the dynamo exporter (fixed batch of 12, renamed/transposed weights, folded constants,
// external data) and by the TorchScript exporter. Checked against PyTorch autograd's W ⊙ ∂L/∂W
// (reference.npz), and a tiny `find` must complete on each. EXPORTERS_LOG=1 prints the figures.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readArrays } from '../../../src/core/data/openDataset';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { datasetAsTrainingData } from '../../../src/core/data/datasetAsTrainingData';
import { maskableInitializers } from '../../../src/core/masks/maskableInitializers';
import { exporterNames } from '../../../src/core/onnx/exporterNames';
import { inspectModel } from '../../../src/core/views/inspectModel';
import { buildLayerGraph } from '../../../src/core/views/layerGraph';
import { nonDifferentiableOps, supportedGradientOps } from '../../../src/core/autodiff/registry';
import { DataType, type Model } from '../../../src/core/onnx/ir';
import { readModel } from '../../../src/core/onnx/readModel';
import { attribute } from '../../../src/core/train/attribute';
import { buildTrainingGraph } from '../../../src/core/train/buildTrainingGraph';
import { Trainer } from '../../../src/core/train/Trainer';
import { Evaluator, type Evaluation } from '../../../src/core/train/Evaluator';
import type { TrainingData } from '../../../src/core/train/TrainingData';
import { runFind } from '../../../src/jobs/runFind';
import type { ResolvedSpec } from '../../../src/shared/spec';
import type { RunInfo } from '../../../src/shared/results';

// Beside the clone (CI and the main checkout); EXPORTER_FIXTURES points elsewhere (a worktree).
const FIXTURES = process.env['EXPORTER_FIXTURES'] ?? path.resolve(__dirname, '../../../../shared/fixtures/exporters');
const MODELS = ['distilbert', 'gpt2', 'llama', 'vit'];
const EXPORTS = ['dynamo-static', 'torchscript'];
const present = fs.existsSync(path.join(FIXTURES, 'README.md'));
if (!present && process.env['CI'] === 'true') throw new Error(`exporter fixtures missing at ${FIXTURES}`);
const skip = present ? false : `exporter fixtures not found at ${FIXTURES}`;
const log = (line: string) => { if (process.env['EXPORTERS_LOG']) console.log(line); };
const CLASSIFY = { type: 'classify' } as const;

/** Reference name → the initializer holding it and whether it is stored transposed. */
type Located = { initializer: string; transposed: boolean };
function referenceTensors(model: Model, referenceNames: string[]): Map<string, Located> {
  const names = exporterNames(model);
  const out = new Map<string, Located>();
  for (const [initializer, o] of names.parameters) out.set(o.parameter, { initializer, transposed: o.transposed });
  for (const r of referenceNames) {
    if (!out.has(r) && model.graph.initializers.has(r)) out.set(r, { initializer: r, transposed: false });
  }
  return out;
}

function transpose2(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

/** max |a − r| / max |r| over the tensor. */
function relativeError(a: Float32Array, r: Float32Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < r.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - r[i]!));
    scale = Math.max(scale, Math.abs(r[i]!));
  }
  return diff / scale;
}

function openData(dir: string, model: Model) {
  const spec = { inputs: {}, labels: 'labels', head: { type: 'classify' } } as unknown as ResolvedSpec;
  return datasetAsTrainingData(path.join(dir, 'data.npz'), model, spec);
}

describe('PyTorch exports: attribute matches PyTorch autograd', { skip }, () => {
  for (const name of MODELS) for (const exp of EXPORTS) {
    test(`${name} (${exp})`, async () => {
      const dir = path.join(FIXTURES, name);
      const model = readModel(path.join(dir, `model-${exp}.onnx`));
      const reference = readArrays(path.join(dir, 'reference.npz'));
      const refNames = Object.keys(reference);
      const located = referenceTensors(model, refNames);
      const inits = model.graph.initializers;
      const tensors = maskableInitializers(model).filter((n) => inits.get(n)!.dataType === DataType.FLOAT);
      const data = openData(dir, model);
      let scores: Map<string, Float32Array>;
      try {
        const output = model.graph.outputs[0]!.name;
        scores = await attribute(model, data, { output, head: CLASSIFY, tensors, threads: 1 });
      } finally {
        data.dataset.close();
      }
      let worst = 0, compared = 0;
      for (const ref of refNames) {
        const where = located.get(ref);
        if (!where) continue;
        const a = scores.get(where.initializer);
        assert.ok(a, `'${ref}' (initializer ${where.initializer}) is not among the maskable tensors`);
        const dims = model.graph.initializers.get(where.initializer)!.dims;
        const aligned = where.transposed ? transpose2(a, dims[0]!, dims[1]!) : a;
        const err = relativeError(aligned, reference[ref]!.data as Float32Array);
        assert.ok(err <= 1e-5, `${ref}: relative error ${err.toExponential(2)}`);
        worst = Math.max(worst, err);
        compared++;
      }
      const info = JSON.parse(fs.readFileSync(path.join(dir, 'info.json'), 'utf8'));
      const named = info.exports[exp].reference_names_that_are_initializers as string[];
      // Every parameter the export keeps under its name is compared; dynamo's renamed ones are found via metadata.
      for (const n of named) assert.ok(located.has(n), `${n} not located`);
      if (exp === 'torchscript') assert.equal(compared, refNames.length);
      log(`attribute ${name} ${exp}: ${compared}/${refNames.length} reference tensors, `
        + `worst relative error ${worst.toExponential(2)}, ${tensors.length} maskable`);
    });
  }
});

/** The rows `pick` of `data`, in that order (repeats allowed). */
function subset(data: TrainingData, pick: number[]): TrainingData {
  return { size: pick.length, rows: (indices, into) => data.rows(Array.from(indices, (i) => pick[i]!), into) };
}

describe('PyTorch exports with a fixed batch: padded rows count nowhere', { skip }, () => {
  // The dynamo export takes exactly 12 rows per call; the TorchScript export of the same weights takes any
  // number, so it scores the same rows without padding.
  const open = (name: string, exp: string) => {
    const model = readModel(path.join(FIXTURES, name, `model-${exp}.onnx`));
    return { model, data: openData(path.join(FIXTURES, name), model) };
  };

  test('gpt2: 5 rows (one padded batch) and 19 rows (12 + 7 padded) score as without padding', async () => {
    const fixed = open('gpt2', 'dynamo-static');
    const free = open('gpt2', 'torchscript');
    try {
      for (const pick of [[3, 1, 4, 1, 5], Array.from({ length: 19 }, (_, i) => (i * 5) % 12)]) {
        const results = [];
        for (const { model, data } of [fixed, free]) {
          const options = { output: 'logits', head: CLASSIFY, replaced: [], threads: 1 };
          const evaluator = await Evaluator.create(model, options);
          results.push(await evaluator.evaluate(subset(data, pick), new Map()));
          await evaluator.release();
        }
        const [a, b] = results as [Evaluation, Evaluation];
        assert.equal(a.count, pick.length);
        assert.equal(a.accuracy, b.accuracy);
        assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(b.loss), `loss ${a.loss} vs ${b.loss}`);
      }
      // attribute over 5 rows: the padded dynamo batch against the unpadded TorchScript one.
      const pick = [0, 2, 4, 6, 8];
      const attributions = [];
      for (const { model, data } of [fixed, free]) {
        const tensors = maskableInitializers(model).filter((n) => n.startsWith('m.transformer.h.0.'));
        const options = { output: 'logits', head: CLASSIFY, tensors, threads: 1 };
        attributions.push(await attribute(model, subset(data, pick), options));
      }
      const [a, b] = attributions as [Map<string, Float32Array>, Map<string, Float32Array>];
      assert.equal(a.size, 4);
      for (const [name, scores] of a) {
        const err = relativeError(scores, b.get(name)!);
        assert.ok(err <= 1e-5, `${name}: ${err.toExponential(2)}`);
      }
    } finally {
      fixed.data.dataset.close();
      free.data.dataset.close();
    }
  });
});

test('a training batch other than the fixed one is refused, naming both', { skip }, async () => {
  const model = readModel(path.join(FIXTURES, 'gpt2', 'model-dynamo-static.onnx'));
  const tg = await buildTrainingGraph(model, {
    output: 'logits', head: { type: 'classify' }, tensors: ['val_307'], update: 'adam',
    target: { kind: 'mask', method: 'continuous-sparsification', lambda: 0 },
  });
  assert.equal(tg.fixedBatch, 12);
  const trainer = await Trainer.create(tg, new Map([['val_307', new Float32Array(144).fill(0.05)]]), 1);
  const data = openData(path.join(FIXTURES, 'gpt2'), model);
  try {
    await assert.rejects(trainer.train(data, { epochs: 1, batch: 8, lr: 0.01, seed: 0 }),
      /the model's batch dimension is fixed at 12; the training batch is 8/);
  } finally {
    data.dataset.close();
    await trainer.release();
  }
});

describe('PyTorch exports: a tiny find completes', { skip }, () => {
  for (const name of MODELS) for (const exp of EXPORTS) {
    test(`${name} (${exp})`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `exporters-${name}-`));
      const source = path.join(FIXTURES, name);
      for (const f of fs.readdirSync(source)) {
        const wanted = f.startsWith(`model-${exp}.onnx`) || f === 'data.npz';
        if (wanted) fs.copyFileSync(path.join(source, f), path.join(dir, f));
      }
      // B trains on 5 rows: fewer than the dynamo export's fixed batch of 12 (one padded batch per epoch).
      const all = readArrays(path.join(dir, 'data.npz'));
      writeNpz(path.join(dir, 'small.npz'), Object.fromEntries(Object.entries(all).map(([k, a]) => {
        const rowLength = a.data.length / a.shape[0]!;
        return [k, { ...a, shape: [5, ...a.shape.slice(1)], data: a.data.slice(0, 5 * rowLength) as typeof a.data }];
      })));
      const specPath = path.join(dir, 'tiny.subnet.json');
      fs.writeFileSync(specPath, JSON.stringify({
        model: `model-${exp}.onnx`,
        subroutines: { A: { train: 'data.npz', test: 'data.npz' }, B: { train: 'small.npz', test: 'data.npz' } },
        mask: { epochs: 2, batch: 4 },
        controls: { randomInit: false, randomAblations: 2 },
        seeds: [0],
      }));
      const messages: string[] = [];
      const t0 = performance.now();
      const result = await runFind({ specPath, outDir: path.join(dir, 'run'), threads: 1 }, {
        signal: new AbortController().signal, onProgress: (e) => messages.push(e.message),
      });
      const ms = performance.now() - t0;
      assert.equal(result.status, 'complete');
      const run = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'run.json'), 'utf8')) as RunInfo;
      if (exp === 'dynamo-static') {
        assert.match(messages.join('\n'), /fixed at 12: mask training uses batches of 12, not mask.batch 4/);
        assert.deepEqual(run.notices?.length, 1);
        const renamed = Object.values(run.parameters ?? {});
        assert.ok(renamed.some((p) => /transposed, stored as val_\d+/.test(p)), JSON.stringify(run.parameters));
      } else {
        assert.equal(run.notices, undefined);
      }
      log(`find ${name} ${exp}: ${(ms / 1000).toFixed(1)} s, ${messages.length} progress events`);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
});

describe('PyTorch exports: names users know', { skip }, () => {
  test('the dynamo GPT-2 layer graph groups ops by module path and shows renamed weights under their parameter', () => {
    const view = buildLayerGraph(readModel(path.join(FIXTURES, 'gpt2', 'model-dynamo-static.onnx')));
    const attn = view.groups.find((g) => g.id === 'scope:m.transformer.h.0.attn');
    assert.deepEqual([attn?.label, attn?.parent], ['attn', 'scope:m.transformer.h.0']);
    assert.equal(view.groups.find((g) => g.id === 'scope:m.transformer.h.0')?.label, 'h.0');
    const gemm = view.nodes.find((n) => n.parameters.some((p) => p.name === 'm.transformer.h.0.attn.c_attn.weight'))!;
    assert.deepEqual([gemm.label, gemm.group], ['c_attn/addmm', 'scope:m.transformer.h.0.attn.c_attn']);
    const score = view.nodes.flatMap((n) => n.parameters).find((p) => p.name === 'val_307')!;
    assert.deepEqual([score.parameter, score.maskable], ['m.score.weight (transposed, stored as val_307)', true]);
    const folded = view.nodes.flatMap((n) => n.parameters).find((p) => p.name === 'val_78')!;
    assert.equal(folded.maskable, false);
    assert.match(folded.notMaskable!, /computed by the exporter .*leading dimension 12 is the fixed batch/);
  });

  test('inspect lists missing rules only for ops between a maskable weight and the output', () => {
    const ops = { supportedGradientOps: supportedGradientOps(), nonDifferentiableOps: [...nonDifferentiableOps] };
    // Llama's TorchScript export computes its rotary tables with Sin/Cos from positions: off every weight's path.
    const torchscript = readModel(path.join(FIXTURES, 'llama', 'model-torchscript.onnx'));
    assert.ok(torchscript.graph.nodes.some((n) => n.opType === 'Sin'));
    assert.deepEqual(inspectModel(torchscript, ops).gradients.unsupported, []);
    // Without a Reciprocal rule, the RMSNorms of the dynamo export (on the path) are reported.
    const dynamo = readModel(path.join(FIXTURES, 'llama', 'model-dynamo-static.onnx'));
    const withoutReciprocal = {
      ...ops, supportedGradientOps: ops.supportedGradientOps.filter((o: string) => o !== 'Reciprocal'),
    };
    assert.deepEqual(inspectModel(dynamo, withoutReciprocal).gradients.unsupported, [{ op: 'Reciprocal', count: 5 }]);
    const report = inspectModel(dynamo, ops);
    const notParameters = report.maskable.notParameters.map((t) => t.name).sort();
    assert.deepEqual(notParameters, ['unsqueeze_16', 'unsqueeze_17', 'val_142', 'val_272']);
  });
});
