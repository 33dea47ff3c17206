// One-shot attribution: W ⊙ ∂L/∂W for every chosen initializer, with L the mean softmax cross-entropy over
// all examples of the data — computed as the gradient of L with respect to an all-ones multiplicative mask.
import type { Model } from '../onnx/ir';
import { elementCount } from '../onnx/ir';
import { createSession, ort } from '../runtime/session';
import { buildTrainingGraph } from './buildTrainingGraph';
import { oneHot, type HeadSpec } from './lossHeads';
import { toOrt } from './toOrt';
import { chunksOf, fedRows, type TrainingData } from './TrainingData';

export interface AttributeOptions {
  output: string;
  head: HeadSpec;
  tensors: string[];
  batch?: number;
  threads?: number;
}

export async function attribute(
  model: Model,
  data: TrainingData,
  options: AttributeOptions,
): Promise<Map<string, Float32Array>> {
  const tg = await buildTrainingGraph(model, {
    output: options.output, head: options.head, tensors: options.tensors, update: 'none',
    target: { kind: 'mask', method: 'identity', lambda: 0 },
  });
  const session = await createSession(tg.model, { threads: options.threads });
  const sums = new Map(tg.tensors.map((t) => [t.initializer, new Float64Array(elementCount(t.shape))]));
  const ones = new ort.Tensor('float32', new Float32Array(tg.flat.size).fill(1), [tg.flat.size]);
  try {
    for (const rows of chunksOf(data, options.batch ?? 256, tg.fixedBatch)) {
      const n = rows.labels.length;
      const feeds: Record<string, ort.Tensor> = { [tg.flat.param]: ones };
      for (const name of tg.dataInputs) feeds[name] = toOrt(rows.inputs[name]!.data, rows.inputs[name]!.dims);
      const onehot = oneHot(rows.labels, tg.classes, tg.floatType, fedRows(rows)) as Float32Array;
      feeds[tg.onehot] = new ort.Tensor('float32', onehot, [fedRows(rows), tg.classes]);
      const out = await session.run(feeds);
      // The graph's loss is a mean over the labelled rows: weight each batch by its share of all examples.
      for (const t of tg.tensors) {
        const g = out[t.grad!]!.data as Float32Array;
        const acc = sums.get(t.initializer)!;
        for (let i = 0; i < g.length; i++) acc[i]! += (g[i]! * n) / data.size;
      }
    }
  } finally {
    await session.release();
  }
  return new Map([...sums].map(([k, v]) => [k, Float32Array.from(v)]));
}
