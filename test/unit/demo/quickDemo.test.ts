import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/cli';
import { smallestAdjustedP, type DemoRow, type DemoTaskResult } from '../../../src/jobs/runDemo';
import type { ResultsFile } from '../../../src/shared/results';
import { readModel } from '../../../src/core/onnx/readModel';
import { makeVisionModel } from '../../../src/core/tasks/makeVisionModel';
import { makeLanguageModel } from '../../../src/core/tasks/makeLanguageModel';
import { isMaskable } from '../../../src/core/masks/isMaskable';
import { selectInitializers } from '../../../src/core/data/loadSpec';
import type { Model } from '../../../src/core/onnx/ir';
import {
  BASE_MODEL_VARIANTS, demoPlan, SCOPE_LAYERS, SCOPE_SPEC_DIRS, SELECTION_SPEC_DIR, SPARSE_KEEP,
} from '../../../src/jobs/runDemo';
import type { SpecFile } from '../../../src/shared/spec';
import { lrPhases } from '../../../src/core/tasks/trainBaseModel';

const finite = (x: unknown, what: string) => {
  assert.ok(typeof x === 'number' && Number.isFinite(x), `${what} = ${String(x)}`);
};

describe('the quick demo', () => {
  test('generates a workspace per base-model variant, trains them, runs the protocol and writes the summary table',
    { timeout: 300_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-'));
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['demo', '--quick', '--out', dir, '--threads', '2'], {
      out: (t) => out.push(t), err: (t) => err.push(t),
    });
    assert.equal(code, 0, err.join(''));

    for (const variant of ['pretrained', 'pruned', 'sparse']) {
      assert.ok(fs.existsSync(path.join(dir, `inside-contact-${variant}`, 'inside-contact.subnet.json')),
        `no ${variant} workspace`);
    }
    const ws = path.join(dir, 'inside-contact');
    for (const f of [
      'model.onnx', 'inside-contact.subnet.json', 'task-info.json',
      'data/task_train.npz', 'data/task.npz', 'data/A_train.npz', 'data/B_test.npz',
    ]) {
      assert.ok(fs.existsSync(path.join(ws, f)), `missing ${f}`);
    }
    // The model on disk is the trained one: its weights moved away from the seeded initialisation.
    const plan = demoPlan('quick')[0]!;
    const initial = makeVisionModel({ seed: 0, ...plan.model });
    const trained = readModel(path.join(ws, 'model.onnx'));
    const w0 = initial.graph.initializers.get('stem.conv.weight')!.data as Float32Array;
    const w1 = trained.graph.initializers.get('stem.conv.weight')!.data as Float32Array;
    assert.equal(w1.length, w0.length);
    assert.ok(w1.some((v, i) => v !== w0[i]), 'stem.conv.weight unchanged by base training');

    const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
    assert.match(md, /\| Task \| Family \| Base model \|/);
    for (const variant of BASE_MODEL_VARIANTS) {
      for (const sub of ['inside', 'contact']) {
        const row = `\\| inside-contact \\| vision \\| cnn ${variant} \\|.*\\| post-stem \\| ${sub} \\|`;
        assert.match(md, new RegExp(row));
      }
    }
    assert.match(md, /Pruning \(one mask on the whole task, its own s > 0 weights kept\)/);
    assert.match(md, /Mask init per base model and scope, chosen on the subroutines' validation sets only/);
    assert.ok(out.join('').includes('| Subroutine |'), 'the table is printed');
    assert.match(err.join(''), /training the base model/);
    assert.match(err.join(''), /finding subnetworks/);

    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {
      rows: DemoRow[]; wallSeconds: number; tasks: DemoTaskResult[];
    };
    assert.ok(summary.wallSeconds > 0);
    // The controls first (two subroutines each, random-init control on), then the task's rows.
    const controls = summary.rows.slice(0, 4);
    assert.deepEqual(controls.map((r) => `${r.task} ${r.subroutine}`),
      ['control-modular A', 'control-modular B', 'control-entangled A', 'control-entangled B']);
    for (const r of controls) {
      assert.deepEqual(Object.keys(r).slice(0, 11), [
        'task', 'base', 'variant', 'baseSeed', 'masked', 'subroutine', 'verdict', 'subnetworkScore', 'ablationScore',
        'kept', 'randomInit',
      ]);
      assert.ok(r.randomInit && r.randomInit.verdict !== 'compositional',
        `${r.task} ${r.subroutine} random-init: ${JSON.stringify(r.randomInit)}`);
      assert.equal(r.masks.length, 3);
      const row = `\\| ${r.task} \\| control \\| ${r.base} scratch \\|.*\\| ${r.subroutine} \\|.*\\| ${r.verdict} \\|`;
      assert.match(md, new RegExp(row));
      assert.ok(md.includes(r.verdictReason.split('|')[0]!),
        `the reason of ${r.task} ${r.subroutine} is not in summary.md`);
    }
    const rows = summary.rows.slice(4);
    // Masks beyond the stem for every variant, no other scope.
    assert.equal(rows.length, 2 * BASE_MODEL_VARIANTS.length);
    assert.ok(rows.every((r) => r.masked === 'post-stem'));
    for (const r of rows) {
      for (const k of [
        'baseAccuracy', 'baseValidationAccuracy', 'baseWeightsKept', 'subnetworkScore', 'ablationScore', 'kept',
        'overlapIoU',
      ] as const) finite(r[k], `${r.subroutine}.${k}`);
      assert.ok(r.kept! > 0 && r.kept! <= 1);
      assert.ok(['compositional', 'not-compositional', 'inconclusive', 'uninformative'].includes(r.verdict));
      assert.equal(r.randomAblationDraws, plan.controls.randomAblations);
      for (const m of r.masks) {
        assert.ok(m.steps > 0 && m.trainAccuracy !== null, `${r.subroutine} mask seed ${m.seed}`);
      }
    }
    const weightsKept = (variant: string) => rows.find((r) => r.variant === variant)!.baseWeightsKept;
    assert.equal(weightsKept('scratch'), 1);
    assert.equal(weightsKept('pretrained'), 1);
    // Per-tensor top-k rounds up, so slightly more than SPARSE_KEEP of all weight matrices stays.
    assert.ok(weightsKept('sparse') >= SPARSE_KEEP && weightsKept('sparse') < SPARSE_KEEP + 0.01,
      `sparse kept ${weightsKept('sparse')}`);
    const pruned = summary.tasks.find((t) => t.variant === 'pruned')!;
    // The pruned model keeps what its mask kept (the mask covers every maskable weight).
    const { keptFraction, validationAccuracy, maskTraining } = pruned.pruning!;
    assert.ok(keptFraction > 0 && keptFraction < 1, `pruned kept ${keptFraction}`);
    assert.ok(Math.abs(weightsKept('pruned') - keptFraction) < 1e-9,
      `pruned ${weightsKept('pruned')} vs ${keptFraction}`);
    assert.equal(rows.find((r) => r.variant === 'pruned')!.baseValidationAccuracy, validationAccuracy!.after);
    assert.equal(maskTraining.steps, plan.mask.epochs * Math.floor(plan.sizes.taskTrain / plan.mask.batch));
    const t = summary.tasks.find((x) => x.task === 'inside-contact' && x.variant === 'scratch')!;
    assert.equal(t.status, 'complete');
    finite(t.training.testAccuracy, 'testAccuracy');
    assert.deepEqual(t.runs.map((r) => r.masked), ['post-stem']);
    // The mask init was chosen among the plan's candidates, written into the scope's spec and used by every mask.
    const selection = t.runs[0]!.selection!;
    assert.deepEqual(selection.trials.map((x) => x.init), plan.maskInits);
    assert.ok(plan.maskInits.includes(selection.chosen));
    const scopeSpec = JSON.parse(fs.readFileSync(t.runs[0]!.spec, 'utf8')) as SpecFile;
    assert.equal(scopeSpec.mask!.init, selection.chosen);
    assert.ok(rows.filter((r) => r.variant === 'scratch')
      .every((r) => r.masks.every((m) => m.init === selection.chosen)));
    const selectionDir = path.join(ws, SCOPE_SPEC_DIRS['post-stem'], SELECTION_SPEC_DIR);
    assert.equal(fs.readdirSync(selectionDir).length, plan.maskInits.length);
    assert.equal(t.runs[0]!.spec, path.join(ws, SCOPE_SPEC_DIRS['post-stem'], 'inside-contact.subnet.json'));
    const maskedLayers = t.runs.map((run) => {
      const results = JSON.parse(fs.readFileSync(path.join(run.runDir, 'results.json'), 'utf8')) as ResultsFile;
      assert.deepEqual(results.subroutineNames, ['inside', 'contact']);
      assert.equal(results.partial, false);
      assert.ok(run.runDir.startsWith(path.join(ws, '.subnetwork-lens', 'runs')),
        `${run.runDir} is not in the workspace's runs`);
      return Object.keys(results.subroutines.inside!.seeds[0]!.layers);
    });
    const postStem = [...trained.graph.initializers.values()]
      .filter((t) => isMaskable(t) && /^(stage2|stage3|head)\./.test(t.name));
    // Which tensors, not their order (results.json keys its layers by name).
    assert.deepEqual([...maskedLayers[0]!].sort(), postStem.map((t) => t.name).sort());
    const postStemSize = maskedLayers[0]!.reduce((n, name) => n + trained.graph.initializers.get(name)!.data.length, 0);
    assert.equal(rows.find((r) => r.variant === 'scratch')!.maskedWeights, postStemSize);
  });
});

describe('the demo command line', () => {
  test('rejects contradictory or malformed options with a usage error', async () => {
    for (const args of [
      ['--quick', '--full'], ['--threads', 'two'], ['--base-models', '0'], ['--task', 'colour-shape'],
      ['--variants', 'scratch,dense'], ['--masked', 'all,early'], ['somewhere'],
    ]) {
      const err: string[] = [];
      const code = await main(['demo', ...args], { out: () => {}, err: (t) => err.push(t) });
      assert.equal(code, 2, `${args.join(' ')}: ${err.join('')}`);
      assert.match(err.join(''), /subnetwork-lens demo --help/);
    }
  });

  test('every preset plans whole epochs of warm-up and learning-rate decay that add up to the budget', () => {
    for (const epochs of [1, 2, 3, 4, 8, 12, 20, 30]) {
      for (const [decay, warmupEpochs] of [[true, 0], [true, 1], [false, 1]] as const) {
        const phases = lrPhases(epochs, decay, warmupEpochs);
        assert.equal(phases.reduce((n, p) => n + p.epochs, 0), epochs, `epochs ${epochs}`);
        const warmup = epochs - warmupEpochs >= 3 ? warmupEpochs : 0;
        const expected = [
          ...(warmup ? ['warmup'] : []),
          'constant',
          ...(decay && epochs - warmup >= 3 ? ['decay', 'decay'] : []),
        ];
        assert.deepEqual(phases.map((p) => p.kind), expected,
          `epochs ${epochs}, decay ${decay}, warm-up ${warmupEpochs}`);
        const constant = phases.findIndex((p) => p.kind === 'constant');
        assert.equal(phases[constant]!.factor, 1);
        if (constant > 0) assert.equal(phases[0]!.factor, 0.1);
        for (let i = constant + 1; i < phases.length; i++) assert.ok(phases[i]!.factor < phases[i - 1]!.factor);
      }
    }
    for (const preset of ['quick', 'default', 'full'] as const) {
      for (const plan of demoPlan(preset)) {
        assert.ok(plan.seeds.length >= 2 && plan.base.epochs >= 3, `${preset}/${plan.task}`);
      }
    }
  });

  test('every preset has enough random ablations for the Holm-adjusted p to fall below α', () => {
    // Fisher's method on two seeds at the floor 1/6 gives 0.127; Holm across two subroutines doubles it.
    assert.ok(Math.abs(smallestAdjustedP(5, 2, 2) - 2 * (1 / 36) * (1 + 2 * Math.log(6))) < 1e-12);
    for (const preset of ['quick', 'default', 'full'] as const) {
      for (const plan of demoPlan(preset)) {
        const p = smallestAdjustedP(plan.controls.randomAblations, plan.seeds.length, 2);
        assert.ok(p < 0.05, `${preset}/${plan.task}: smallest attainable p ${p}`);
      }
    }
  });
});

describe('the restricted mask scopes', () => {
  const maskable = (model: Model) => [...model.graph.initializers.values()]
    .filter((t) => isMaskable(t))
    .map((t) => t.name);

  test('late: the last ResNet stage and the MLP head; post-stem: the last two stages and the head', () => {
    const names = maskable(makeVisionModel({ seed: 0 }));
    const late = names.filter((n) => /^(stage3|head)\./.test(n));
    assert.deepEqual(selectInitializers(names, SCOPE_LAYERS.late.vision, []), late);
    const postStem = names.filter((n) => /^(stage2|stage3|head)\./.test(n));
    assert.deepEqual(selectInitializers(names, SCOPE_LAYERS['post-stem'].vision, []), postStem);
  });

  test('late: the last encoder layer and the pooler head of the transformer; post-stem: all but the embeddings', () => {
    const names = maskable(makeLanguageModel({ seed: 0 }));
    const late = selectInitializers(names, SCOPE_LAYERS.late.language, []);
    assert.deepEqual(selectInitializers(names, SCOPE_LAYERS['post-stem'].language, []),
      names.filter((n) => !n.startsWith('embed.')));
    assert.ok(names.some((n) => n.startsWith('embed.')),
      'the transformer has no embed.* weights for post-stem to leave out');
    assert.deepEqual(late,
      [...names.filter((n) => n.startsWith('encoder.layer1.')), 'head.pooler.weight', 'head.out.weight']);
    assert.equal(late.length, 8, late.join(', '));
    assert.ok(!names.some((n) => n.startsWith('encoder.layer2.')),
      'the transformer has more than two layers: the late scope would miss its last');
  });

  test('no preset masks the stem; full runs the late scope on 3 base seeds of every task, default too', () => {
    for (const preset of ['quick', 'default', 'full'] as const) {
      for (const plan of demoPlan(preset)) assert.deepEqual(plan.maskScopes.all, [], `${preset}/${plan.task}`);
    }
    assert.deepEqual(demoPlan('quick')[0]!.maskScopes['post-stem'], BASE_MODEL_VARIANTS);
    const full = demoPlan('full');
    assert.deepEqual(full.map((p) => p.task).sort(),
      ['agreement', 'inside-contact', 'inside-number', 'number-contact']);
    for (const plan of full) {
      assert.ok(plan.maskScopes.late.includes('scratch'), plan.task);
      assert.ok(plan.baseSeeds!.length >= 3, plan.task);
    }
    assert.deepEqual(full.find((p) => p.task === 'agreement')!.maskScopes.late, BASE_MODEL_VARIANTS);
    const tasks = demoPlan('default').map((p) => p.task);
    assert.ok(tasks.includes('agreement') && (tasks.includes('number-contact') || tasks.includes('inside-number')));
  });

  test('the default and full presets choose the mask init among the reference\'s candidates', () => {
    for (const plan of [...demoPlan('default'), ...demoPlan('full')]) {
      assert.deepEqual(plan.maskInits, [0.1, 0.05, 0, -0.05], plan.task);
      assert.ok(plan.sizes.validation > 0, `${plan.task} writes no subroutine validation sets`);
    }
  });
});
