// The Trainer's Adam step (adamUpdate after a graph that stops at the gate or weight gradients) against the
// formulation it replaced: the gradient of the whole loss with respect to the flat logits from the
// update: 'none' graph, whose gates, penalty and chain rule are ONNX nodes differentiated by our autodiff,
// followed by a textbook float32 Adam written here. The trained parameters must agree to float32 rounding.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { adamUpdate } from '../../../src/core/train/adamUpdate';
import { buildTrainingGraph, DEFAULT_ADAM, type TrainTarget } from '../../../src/core/train/buildTrainingGraph';
import { betaAt, Trainer, type FloatArray } from '../../../src/core/train/Trainer';
import { oneHot } from '../../../src/core/train/lossHeads';
import { toOrt } from '../../../src/core/train/toOrt';
import { createSession, ort } from '../../../src/core/runtime/session';
import { arrayData, type TrainingData } from '../../../src/core/train/TrainingData';
import { elementCount, type Model } from '../../../src/core/onnx/ir';
import { readModel } from '../../../src/core/onnx/readModel';
import { chooseTensors, openModelData } from '../../../src/jobs/modelData';
import { Rng } from '../../../src/core/util/random';
import { argmaxData, mlp } from './models';
import { openZoo } from '../zoo/zooModels';

const f = Math.fround;

/** One float32 Adam step as the ONNX graph wrote it, rounding after every operation. */
function textbookAdam(p: Float32Array, m: Float32Array, v: Float32Array, g: ArrayLike<number>, stepSize: number) {
  const { beta1, beta2, epsilon } = DEFAULT_ADAM;
  for (let i = 0; i < p.length; i++) {
    m[i] = f(f(m[i]! * f(beta1)) + f(g[i]! * f(1 - beta1)));
    v[i] = f(f(v[i]! * f(beta2)) + f(f(g[i]! * g[i]!) * f(1 - beta2)));
    p[i] = f(p[i]! - f(f(m[i]! * f(stepSize)) / f(f(Math.sqrt(v[i]!)) + f(epsilon))));
  }
}

interface Case {
  model: Model;
  output: string;
  tensors: string[];
  target: TrainTarget;
  data: TrainingData;
  initial: (name: string, size: number) => Float32Array;
}

const OPTIONS = { epochs: 3, lr: 0.05, seed: 4, temperature: [1, 30] as [number, number] };

/** Trains one full-data batch per epoch with the Trainer, and with the reference formulation. */
async function bothWays(c: Case): Promise<{ ours: Float32Array; reference: Float32Array }> {
  const spec = { output: c.output, head: { type: 'classify' as const }, tensors: c.tensors, target: c.target };
  const tg = await buildTrainingGraph(c.model, { ...spec, update: 'adam' });
  const initial = new Map(tg.tensors.map((t) => [t.initializer, c.initial(t.initializer, elementCount(t.shape))]));
  const trainer = await Trainer.create(tg, initial as Map<string, FloatArray>, 1);
  const temperature = c.target.kind === 'mask' ? OPTIONS.temperature : undefined;
  const options = { ...OPTIONS, batch: c.data.size, temperature };
  const trained = await trainer.train(c.data, options);
  await trainer.release();
  const ours = new Float32Array(tg.flat.size);
  for (const t of tg.tensors) ours.set(trained.params.get(t.initializer)!, t.offset);

  const ref = await buildTrainingGraph(c.model, { ...spec, update: 'none' });
  const session = await createSession(ref.model, { threads: 1 });
  const size = ref.flat.size;
  const p = new Float32Array(size);
  for (const t of ref.tensors) p.set(initial.get(t.initializer)!, t.offset);
  const [m, v, g] = [new Float32Array(size), new Float32Array(size), new Float32Array(size)];
  const rng = new Rng(OPTIONS.seed);
  for (let epoch = 0; epoch < OPTIONS.epochs; epoch++) {
    const batch = c.data.rows(rng.permutation(c.data.size));
    const feeds: Record<string, ort.Tensor> = Object.fromEntries(
      Object.entries(batch.inputs).map(([k, a]) => [k, toOrt(a.data, a.dims)]));
    feeds[ref.onehot] = toOrt(oneHot(batch.labels, ref.classes, ref.floatType), [batch.labels.length, ref.classes]);
    if (ref.beta) feeds[ref.beta] = toOrt(Float32Array.of(betaAt(epoch, OPTIONS.epochs, OPTIONS.temperature)), []);
    feeds[ref.flat.param] = toOrt(p, [size]);
    const out = await session.run(feeds);
    for (const t of ref.tensors) g.set(out[t.grad!]!.data as Float32Array, t.offset);
    const step = epoch + 1;
    const { beta1, beta2 } = DEFAULT_ADAM;
    textbookAdam(p, m, v, g, OPTIONS.lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
  }
  await session.release();
  return { ours, reference: p };
}

function assertSame(ours: Float32Array, reference: Float32Array, label: string): void {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]!));
    worst = Math.max(worst, Math.abs(ours[i]! - reference[i]!));
  }
  assert.ok(worst <= 1e-6 * scale, `${label}: trained parameters differ by ${worst} (largest ${scale})`);
}

const MASK: TrainTarget = { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-3 };
const logits = (_: string, n: number) => new Float32Array(n).fill(0.05);

describe('the Adam step after the training graph', () => {
  test('matches textbook float32 Adam on any length, chained through the sigmoid gate or not; counts positives', () => {
    const n = 2 * 16384 + 7; // more than one chunk of the module's memory, not a multiple of 4 lanes
    const rng = new Rng(1);
    const fill = (k: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => k(i));
    const grad = fill(() => rng.normal() * 1e-3);
    const gate = fill(() => rng.next());
    for (const chain of [{ kind: 'sigmoid' as const, beta: 3, lambda: 1e-4 }, { kind: 'none' as const }]) {
      const params = fill(() => rng.normal());
      const x = { grad, gate, params, m: fill(() => rng.normal() * 1e-3), v: fill(() => rng.next() * 1e-6) };
      const expected = { p: x.params.slice(), m: x.m.slice(), v: x.v.slice() };
      const g = chain.kind === 'sigmoid'
        ? grad.map((d, i) => f(f(f(d + f(chain.lambda)) * f(gate[i]! * f(1 - gate[i]!))) * f(chain.beta)))
        : grad;
      const positive = adamUpdate(x, { stepSize: 0.01, ...DEFAULT_ADAM, chain });
      textbookAdam(expected.p, expected.m, expected.v, g, 0.01);
      assert.deepEqual([x.params, x.m, x.v], [expected.p, expected.m, expected.v], chain.kind);
      assert.equal(positive, expected.p.filter((p) => p > 0).length, `${chain.kind}: positive parameters`);
    }
  });

  const small = { model: mlp(6, 10, 3), output: 'logits', data: argmaxData(64, 6, 3) };
  test('trains an MLP\'s mask logits as the ONNX gate and textbook Adam do', async () => {
    const tensors = ['fc1.weight', 'fc2.weight'];
    const { ours, reference } = await bothWays({ ...small, tensors, target: MASK, initial: logits });
    assertSame(ours, reference, 'continuous sparsification');
  });

  test('trains an MLP\'s weights as the ONNX gradient and textbook Adam do', async () => {
    const weights = (name: string) => Float32Array.from(small.model.graph.initializers.get(name)!.data as Float32Array);
    const { ours, reference } = await bothWays({
      ...small, tensors: ['fc1.weight', 'fc2.weight', 'fc1.bias'], target: { kind: 'weights' }, initial: weights,
    });
    assertSame(ours, reference, 'weights');
  });

  const zoo = openZoo();
  for (const name of ['squeezenet', 'mobilenet_v2']) {
    test(`trains the zoo's ${name} mask logits as the ONNX gate and textbook Adam do`,
      { skip: typeof zoo === 'string' ? zoo : false }, async () => {
        const { dir } = zoo as Exclude<typeof zoo, string>;
        const model = readModel(path.join(dir, `${name}.opset17.onnx`));
        const opened = await openModelData(path.join(dir, `${name}.data.npz`), model, { type: 'classify' });
        const all = opened.rows(Uint32Array.from({ length: opened.size }, (_, i) => i));
        opened.dataset.close();
        const data = arrayData(all.inputs, all.labels);
        const tensors = chooseTensors(model, undefined);
        const output = model.graph.outputs[0]!.name;
        const { ours, reference } = await bothWays({ model, output, tensors, target: MASK, initial: logits, data });
        assertSame(ours, reference, name);
      });
  }
});
