import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { oneShotMask, topFraction } from '../../../src/core/train/oneShotMask';
import { applyMask, sizeMatchedRandomMask } from '../../../src/core/masks/applyMask';
import { Rng } from '../../../src/core/util/random';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { arrayData } from '../../../src/core/train/TrainingData';

const model = makeModel({
  inputs: [{ name: 'x', shape: ['N', 2] }], outputs: [{ name: 'y', shape: ['N', 2] }],
  nodes: [{ op: 'MatMul', inputs: ['x', 'A'], outputs: ['h'] }, { op: 'MatMul', inputs: ['h', 'B'], outputs: ['y'] }],
  initializers: [makeTensor('A', 1, [2, 2], [4, -3, 0.5, 1]), makeTensor('B', 1, [2, 2], [0.1, -0.2, 2, 0.3])],
});
const data = arrayData({ x: { data: Float32Array.from([1, 0, 0, 1, 1, 1]), dims: [3, 2] } }, [0, 1, 1]);
const common = { output: 'y', head: { type: 'classify' as const }, data, tensors: ['A', 'B'] };

describe('one-shot masks', () => {
  test('topFraction keeps the largest magnitudes, ties by index', () => {
    assert.deepEqual(Array.from(topFraction([1, -5, 3, 3], 0.5)), [0, 1, 1, 0]);
    assert.deepEqual(Array.from(topFraction([1, 2], 0.01)), [0, 1]);
  });

  test('magnitude pruning per tensor keeps the same fraction of every tensor', async () => {
    const masks = await oneShotMask(model, { ...common, method: 'magnitude', keep: 0.5 });
    assert.deepEqual(Array.from(masks.get('A')!), [1, 1, 0, 0]);
    assert.deepEqual(Array.from(masks.get('B')!), [0, 0, 1, 1]);
  });

  test('global magnitude pruning ranks all tensors together', async () => {
    const masks = await oneShotMask(model, { ...common, method: 'magnitude', keep: 0.25, scope: 'global' });
    assert.deepEqual(Array.from(masks.get('A')!), [1, 1, 0, 0]);
    assert.deepEqual(Array.from(masks.get('B')!), [0, 0, 0, 0]);
  });

  test('attribution masks rank by |W ⊙ dL/dW| and keep the requested fraction', async () => {
    const masks = await oneShotMask(model, { ...common, method: 'attribution', keep: 0.5 });
    for (const m of masks.values()) assert.equal(m.reduce((a, b) => a + b, 0), 2);
  });
});

describe('evaluation conditions', () => {
  const weights = new Map([['A', Float32Array.from([1, 2, 3, 4])]]);
  const masks = new Map([['A', Uint8Array.from([1, 0, 0, 1])]]);

  test('subnetwork keeps the masked weights and the ablation removes them', () => {
    assert.deepEqual(Array.from(applyMask(weights, masks, true, 'zero').get('A')!), [1, 0, 0, 4]);
    assert.deepEqual(Array.from(applyMask(weights, masks, false, 'zero').get('A')!), [0, 2, 3, 0]);
    assert.deepEqual(Array.from(applyMask(weights, masks, false, 'mean').get('A')!), [2.5, 2, 3, 2.5]);
  });

  test('random re-initialisation draws from the tensor’s own mean and spread', () => {
    const big = new Map([['A', Float32Array.from({ length: 4000 }, (_, i) => (i % 2 ? 1 : 3))]]);
    const none = new Map([['A', new Uint8Array(4000).fill(1)]]);
    const out = applyMask(big, none, false, 'random-reinit', new Rng(0)).get('A')!;
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    assert.ok(Math.abs(mean - 2) < 0.1, `mean ${mean}`);
  });

  test('random ablation masks match the kept count of every layer', () => {
    const m = new Map([['A', Uint8Array.from([1, 1, 0, 0, 0, 1])], ['B', Uint8Array.from([0, 0, 1])]]);
    const r = sizeMatchedRandomMask(m, new Rng(1));
    assert.equal(r.get('A')!.reduce((a, b) => a + b, 0), 3);
    assert.equal(r.get('B')!.reduce((a, b) => a + b, 0), 1);
  });
});
