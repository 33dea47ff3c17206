// The float32 training graph against its float64 twin: small on a correct graph, far above gradcheck's
// float32 tolerance when one backward Conv of the float32 graph is wrong (the float64 twin, whose Conv
// nodes are rewritten into window gathers, cannot see such a fault by itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOAT32_TOLERANCE } from '../../../src/jobs/gradcheck';
import { DataType, type Model } from '../../../src/core/onnx/ir';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { GraphBuilder } from '../../../src/core/onnx/GraphBuilder';
import { sortTopologically } from '../../../src/core/onnx/sortTopologically';
import { ort } from '../../../src/core/runtime/session';
import { buildTrainingGraph } from '../../../src/core/train/buildTrainingGraph';
import { float32Deviation } from '../../../src/core/train/float32Deviation';
import { oneHot } from '../../../src/core/train/lossHeads';
import { toFloat64 } from '../../../src/core/train/toFloat64';
import { Rng } from '../../../src/core/util/random';
import { CNN_WEIGHTS, cnnImages, smallCnn } from '../cli/cnnModel';

const ROWS = 8;

const title = 'float32Deviation: rounding level on a correct graph, far above tolerance with a flipped backward kernel';
test(title, async (t) => {
  const model = smallCnn();
  const fixed: Model = { ...model, proto: undefined, graph: { ...model.graph, proto: undefined,
    inputs: model.graph.inputs.map((v) => ({ ...v, shape: [ROWS, 2, 6, 6], proto: undefined })) } };
  const tg = await buildTrainingGraph(fixed, {
    output: 'logits', head: { type: 'classify' }, tensors: CNN_WEIGHTS, update: 'none',
    target: { kind: 'mask', method: 'continuous-sparsification', lambda: 0 },
  });
  const { image, labels } = cnnImages(ROWS);
  const rng = new Rng(3);
  const feeds: Record<string, ort.Tensor> = {
    image: new ort.Tensor('float64', Float64Array.from(image), [ROWS, 2, 6, 6]),
    [tg.onehot]: new ort.Tensor('float64', oneHot(labels, tg.classes, DataType.DOUBLE), [ROWS, tg.classes]),
    [tg.beta!]: new ort.Tensor('float64', Float64Array.of(1.5), []),
  };
  const logits = Float64Array.from({ length: tg.flat.size }, () => rng.normal());
  feeds[tg.flat.param] = new ort.Tensor('float64', logits, [tg.flat.size]);
  const pinned: Model = { ...tg.model, proto: undefined, graph: { ...tg.model.graph, proto: undefined,
    inputs: tg.model.graph.inputs.map((v) => ({ ...v, shape: [...feeds[v.name]!.dims], proto: undefined })) } };
  const wide = await toFloat64(pinned);
  const bytes = encodeModel(wide).model;
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const out = await session.run(feeds);
  await session.release();
  const reference = new Map(tg.tensors.map((t) => [t.grad!, out[t.grad!]!.data as Float64Array]));
  const conv1Grad = tg.tensors.find((t) => t.initializer === 'conv1.weight')!.grad!;

  const good = await float32Deviation(tg.model, feeds, reference, 1);
  for (const [name, d] of good) assert.ok(d <= 1e-5, `${name}: float32 deviation ${d} on a correct graph`);

  // conv2's input gradient (a small layer) is a ConvTranspose of dY with the 2×2 kernel; feeding it the
  // kernel flipped in space (a plausible slip) changes only the float32 graph's gradient.
  const backwardConv = tg.model.graph.nodes.find((n) => n.opType === 'ConvTranspose')!;
  const graph = { ...tg.model.graph, proto: undefined, initializers: new Map(tg.model.graph.initializers) };
  const b = new GraphBuilder(graph, 'broken');
  const flip = b.emit1('Slice', [backwardConv.inputs[1]!, b.int64([-1, -1]), b.int64([-(2 ** 53), -(2 ** 53)]),
    b.int64([2, 3]), b.int64([-1, -1])]);
  const inputs = [backwardConv.inputs[0]!, flip, ...backwardConv.inputs.slice(2)];
  const flipped = { ...backwardConv, proto: undefined, inputs };
  graph.nodes = sortTopologically({ ...graph, nodes: graph.nodes.map((n) => (n === backwardConv ? flipped : n)) });
  const broken: Model = { ...tg.model, proto: undefined, graph };
  const bad = await float32Deviation(broken, feeds, reference, 1);
  const flippedConv1 = bad.get(conv1Grad)!;
  const worst = Math.max(...good.values());
  t.diagnostic(`correct graph: worst ${worst.toExponential(2)}; flipped: conv1 ${flippedConv1.toExponential(2)}`);
  assert.ok(flippedConv1 > 10 * FLOAT32_TOLERANCE, `conv1 deviation ${flippedConv1} with a flipped backward kernel`);
});
