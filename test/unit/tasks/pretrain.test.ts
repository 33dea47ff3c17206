import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readModel } from '../../../src/core/onnx/readModel';
import { writeTaskWorkspace } from '../../../src/core/tasks/writeTaskWorkspace';
import { pretrainWorkspaceModel } from '../../../src/core/tasks/pretrainWorkspaceModel';
import { Rng } from '../../../src/core/util/random';
import { createSession, ort } from '../../../src/core/runtime/session';
import type { Model } from '../../../src/core/onnx/ir';
import { DEFAULT_SEQUENCE_LENGTH, VOCAB } from '../../../src/core/tasks/agreementGrammar';
import { makeLanguageModel } from '../../../src/core/tasks/makeLanguageModel';
import { makeVisionModel } from '../../../src/core/tasks/makeVisionModel';
import { DEFAULT_IMAGE_SIZE } from '../../../src/core/tasks/makeVisionProblems';
import { makeMaskedTokenData } from '../../../src/core/tasks/makeMaskedTokenData';
import { makeContrastiveViews } from '../../../src/core/tasks/makeContrastiveViews';
import { buildMaskedTokenModel } from '../../../src/core/tasks/buildMaskedTokenModel';
import { pretrainBaseModel, type PretrainEpochStats } from '../../../src/core/tasks/pretrain';

const PAD_ID = 0;
const CLS_ID = VOCAB.indexOf('[CLS]');
const L = DEFAULT_SEQUENCE_LENGTH;

/** Same nodes, inputs, outputs and initializer names/shapes. */
function assertSameGraph(a: Model, b: Model): void {
  assert.deepEqual(
    b.graph.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]),
    a.graph.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]),
  );
  assert.deepEqual(b.graph.inputs.map((i) => [i.name, i.shape]), a.graph.inputs.map((i) => [i.name, i.shape]));
  assert.deepEqual(b.graph.outputs.map((o) => [o.name, o.shape]), a.graph.outputs.map((o) => [o.name, o.shape]));
  assert.deepEqual(
    [...b.graph.initializers.values()].map((t) => [t.name, t.dims]),
    [...a.graph.initializers.values()].map((t) => [t.name, t.dims]),
  );
}

/** Names of float initializers whose values differ. */
function changed(a: Model, b: Model): string[] {
  return [...a.graph.initializers.values()].filter((t) => {
    const u = b.graph.initializers.get(t.name)!;
    return t.dataType === 1 && (t.data as Float32Array).some((v, i) => v !== (u.data as Float32Array)[i]);
  }).map((t) => t.name);
}

async function runZ(model: Model, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await createSession(model, { threads: 1 });
  try {
    return (await session.run(feeds)).z!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('makeMaskedTokenData', () => {
  test('masks about 15 % of the real tokens and labels each masked position with its original token', () => {
    const d = makeMaskedTokenData(400, new Rng(3));
    assert.equal(d.maskId, VOCAB.length);
    assert.ok(d.rows >= d.sentences, 'at least one masked token per sentence');
    let maskedTokens = 0, realTokens = 0;
    const seen = new Set<string>();
    for (let r = 0; r < d.rows; r++) {
      const row = Array.from(d.x.subarray(r * L, (r + 1) * L), Number);
      const pos = Array.from(d.select.subarray(r * L, (r + 1) * L)).findIndex((v) => v === 1);
      const selected = d.select.subarray(r * L, (r + 1) * L).reduce((s, v) => s + v, 0);
      assert.equal(selected, 1, `row ${r} selects one position`);
      assert.equal(row[0], CLS_ID, `row ${r}: [CLS] is never masked`);
      assert.equal(row[pos], d.maskId, `row ${r}: the selected position is masked`);
      const label = Number(d.labels[r]);
      assert.ok(label > PAD_ID && label < VOCAB.length, `row ${r}: label ${label} is a real token`);
      const key = row.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        maskedTokens += row.filter((t) => t === d.maskId).length;
        realTokens += row.filter((t) => t !== PAD_ID && t !== CLS_ID).length;
        const firstPad = row.indexOf(PAD_ID);
        if (firstPad >= 0) {
          assert.ok(row.slice(firstPad).every((t) => t === PAD_ID), `row ${r}: padding is never masked`);
        }
      }
    }
    const rate = maskedTokens / realTokens;
    assert.ok(rate > 0.12 && rate < 0.25, `masked fraction ${rate}`);
  });
});

describe('makeContrastiveViews', () => {
  test('puts three views of one scene and one view of another scene at the labelled index', () => {
    const d = makeContrastiveViews('inside-contact', 30, new Rng(5), { shift: 0, noise: 0 });
    const px = DEFAULT_IMAGE_SIZE ** 2;
    let oddDiffers = 0;
    for (let p = 0; p < d.problems; p++) {
      const odd = Number(d.labels[p]);
      assert.ok(odd >= 0 && odd < 4);
      const view = (j: number) => Array.from(d.x.subarray((p * 4 + j) * px, (p * 4 + j + 1) * px));
      const regular = [0, 1, 2, 3].filter((j) => j !== odd);
      assert.deepEqual(view(regular[1]!), view(regular[0]!), `problem ${p}: the regular views are one scene`);
      assert.deepEqual(view(regular[2]!), view(regular[0]!));
      if (view(odd).some((v, i) => v !== view(regular[0]!)[i])) oddDiffers++;
    }
    assert.ok(oddDiffers >= 28, `the odd view shows another scene in ${oddDiffers}/30 problems`);
  });

  test('with symmetries, the regular views are flips or transposes of one scene (same pixel values)', () => {
    const d = makeContrastiveViews('inside-contact', 10, new Rng(6), { shift: 0, noise: 0, symmetries: true });
    const px = DEFAULT_IMAGE_SIZE ** 2;
    let transformed = 0;
    for (let p = 0; p < d.problems; p++) {
      const odd = Number(d.labels[p]);
      const views = [0, 1, 2, 3].filter((j) => j !== odd)
        .map((j) => Array.from(d.x.subarray((p * 4 + j) * px, (p * 4 + j + 1) * px)));
      const sorted = views.map((v) => [...v].sort((a, b) => a - b));
      assert.deepEqual(sorted[1], sorted[0]);
      assert.deepEqual(sorted[2], sorted[0]);
      if (views[1]!.some((v, i) => v !== views[0]![i])) transformed++;
    }
    assert.ok(transformed >= 5, `views differ by a symmetry in ${transformed}/10 problems`);
  });
});

describe('buildMaskedTokenModel', () => {
  test('rejects a model without a token embedding, naming what it looked for', async () => {
    await assert.rejects(buildMaskedTokenModel(makeVisionModel({ seed: 0 }), 0), /token-embedding Gather/);
  });
});

describe('pretrainBaseModel', () => {
  test('language: masked-token pretraining lowers its loss and changes the encoder weights, '
    + 'not the graph', async () => {
    const model = makeLanguageModel({ seed: 1 });
    const epochs: PretrainEpochStats[] = [];
    const pretrained = await pretrainBaseModel(model, 'language',
      { seed: 1, epochs: 4, lr: 3e-3, batch: 64, threads: 1, onEpoch: (s) => epochs.push(s) }, { examples: 400 });
    assert.equal(epochs.length, 4);
    assert.ok(epochs[3]!.loss < epochs[0]!.loss - 0.2, `loss ${epochs[0]!.loss} → ${epochs[3]!.loss}`);
    assertSameGraph(model, pretrained);
    const moved = changed(model, pretrained);
    assert.ok(moved.includes('embed.tokens.weight') && moved.includes('encoder.layer0.attn.q.weight'),
      `changed: ${moved.join(', ')}`);
    for (const head of ['head.pooler.weight', 'head.out.weight']) {
      assert.ok(!moved.includes(head), `${head} after pooling gets no gradient from the masked-token loss`);
    }
    assert.ok(!moved.includes('encoder.attn_scale'), 'scalar constants stay fixed');
    const x = new ort.Tensor('int64', BigInt64Array.from({ length: 2 * L }, (_, i) => BigInt(1 + (i % 20))), [2, L]);
    const [z0, z1] = [await runZ(model, { x }), await runZ(pretrained, { x })];
    assert.equal(z1.length, 2 * 32);
    assert.ok(z1.every(Number.isFinite) && z1.some((v, i) => v !== z0[i]), 'z is computed from the pretrained weights');
  });

  test('language: the masked-token loss falls well below what the token frequencies alone allow', async (t) => {
    const data = makeMaskedTokenData(1000, new Rng(21));
    // Cross-entropy of the best context-free guess (the masked tokens' own frequencies) and of a uniform guess.
    const counts = new Map<bigint, number>();
    for (const label of data.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    const unigram = -[...counts.values()].reduce((s, c) => s + (c / data.rows) * Math.log(c / data.rows), 0);
    const epochs: PretrainEpochStats[] = [];
    await pretrainBaseModel(makeLanguageModel({ seed: 2 }), 'language',
      { seed: 2, epochs: 6, lr: 3e-3, batch: 64, threads: 1, onEpoch: (e) => epochs.push(e) }, data);
    const last = epochs.at(-1)!.loss;
    t.diagnostic(`loss ${epochs[0]!.loss.toFixed(3)} → ${last.toFixed(3)}; token frequencies ${unigram.toFixed(3)}, `
      + `uniform ${Math.log(VOCAB.length).toFixed(3)}`);
    assert.ok(epochs[0]!.loss < Math.log(VOCAB.length),
      `first epoch ${epochs[0]!.loss} vs uniform ${Math.log(VOCAB.length)}`);
    assert.ok(last < unigram - 0.8,
      `last epoch ${last} vs token frequencies ${unigram} (uniform ${Math.log(VOCAB.length)})`);
  });

  test('vision: contrastive odd-one-out pretraining lowers its loss and changes the weights, '
    + 'not the graph', async () => {
    const model = makeVisionModel({ seed: 1, imageSize: 32 });
    const epochs: PretrainEpochStats[] = [];
    const pretrained = await pretrainBaseModel(model, 'vision',
      { seed: 1, epochs: 3, lr: 3e-3, batch: 32, threads: 1, onEpoch: (s) => epochs.push(s) }, { examples: 256 });
    assert.equal(epochs.length, 3);
    assert.ok(epochs[2]!.loss < epochs[0]!.loss - 0.03, `loss ${epochs[0]!.loss} → ${epochs[2]!.loss}`);
    assertSameGraph(model, pretrained);
    const moved = changed(model, pretrained);
    for (const name of ['stem.conv.weight', 'stage3.conv2.weight', 'head.fc1.weight', 'head.fc2.weight']) {
      assert.ok(moved.includes(name), `${name} changed`);
    }
  });

  test('is deterministic for a seed and differs between seeds', async () => {
    const model = makeLanguageModel({ seed: 2, dim: 16, mlpDim: 16, layers: 1, embedDim: 8 });
    const run = (seed: number) => pretrainBaseModel(model, 'language',
      { seed, epochs: 1, lr: 3e-3, batch: 32, threads: 1 }, { examples: 120 });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    assert.deepEqual(changed(a, b), []);
    assert.ok(changed(a, c).length > 0);
  });

  test('rejects when cancelled, leaving the given model untouched', async () => {
    const model = makeVisionModel({ seed: 0, channels: [2, 2, 2], hidden: 8, embedDim: 4 });
    const signal = AbortSignal.abort();
    await assert.rejects(pretrainBaseModel(model, 'vision',
      { seed: 0, epochs: 1, lr: 1e-3, batch: 8, threads: 1, signal }, { examples: 16 }), /cancelled/);
  });

  test('reports progress in the pretrain phase', async () => {
    const phases = new Set<string | undefined>();
    await pretrainBaseModel(makeVisionModel({ seed: 0, channels: [2, 2, 2], hidden: 8, embedDim: 4 }), 'vision',
      { seed: 0, epochs: 1, lr: 1e-3, batch: 8, threads: 1, onProgress: (e) => phases.add(e.phase) }, { examples: 16 });
    assert.deepEqual([...phases], ['pretrain']);
  });
});

describe('pretrainWorkspaceModel', () => {
  test('pretrains a generated workspace\'s model.onnx in place, keeping its graph', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-pretrain-'));
    try {
      const sizes = { taskTrain: 8, taskValidation: 0, taskTest: 4, train: 4, validation: 0, test: 4 };
      const ws = writeTaskWorkspace(dir, {
        task: 'agreement', seed: 0, sizes, model: { dim: 16, mlpDim: 16, layers: 1, embedDim: 8 },
      });
      const before = readModel(ws.model);
      const r = await pretrainWorkspaceModel(dir, {
        seed: 0, epochs: 2, lr: 3e-3, batch: 32, threads: 1, examples: 150,
      });
      assert.equal(r.objective, 'masked-token');
      assert.equal(r.epochs.length, 2);
      assert.ok(r.lastLoss < r.firstLoss, `loss ${r.firstLoss} → ${r.lastLoss}`);
      const after = readModel(ws.model);
      assertSameGraph(before, after);
      assert.ok(changed(before, after).includes('embed.tokens.weight'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
