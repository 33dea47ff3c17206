import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeOverlap, overlapPair, overlapStats } from '../../../src/core/protocol/overlap';

const m = (...bits: number[]) => Uint8Array.from(bits);

describe('overlapStats', () => {
  test('divides the intersection by the true union, not by |A| + |B|', () => {
    const s = overlapStats(m(1, 1, 0, 0, 1), m(0, 1, 1, 0, 1));
    assert.deepEqual([s.size, s.keptA, s.keptB, s.intersection, s.union], [5, 3, 3, 2, 4]);
    assert.equal(s.iou, 2 / 4); // the reference bug would give 2/6
    assert.equal(s.ioMin, 2 / 3);
    assert.equal(s.keptFractionA, 3 / 5);
  });

  test('gives IoU 1 for identical masks, 0 for disjoint ones and null for empty ones', () => {
    assert.equal(overlapStats(m(1, 0, 1), m(1, 0, 1)).iou, 1);
    const d = overlapStats(m(1, 1, 0, 0), m(0, 0, 1, 0));
    assert.deepEqual([d.iou, d.ioMin, d.union], [0, 0, 3]);
    const e = overlapStats(m(0, 0), m(0, 0));
    assert.deepEqual([e.iou, e.ioMin], [null, null]);
    assert.equal(overlapStats(m(1, 1), m(0, 0)).ioMin, null);
  });

  test('measures IoMin 1 when one mask is inside the other', () => {
    const s = overlapStats(m(1, 1, 1, 1, 0, 0), m(0, 1, 1, 0, 0, 0));
    assert.deepEqual([s.iou, s.ioMin], [2 / 4, 1]);
  });
});

describe('overlapPair', () => {
  test('sums counts over layers before dividing for the total', () => {
    const a = { w1: m(1, 1, 0, 0), w2: m(1, 0, 0, 0, 0, 0) };
    const b = { w1: m(1, 0, 0, 0), w2: m(1, 1, 1, 1, 0, 0) };
    const p = overlapPair(a, b, { subroutine: 'A', seed: 0 }, { subroutine: 'B', seed: 0 });
    assert.equal(p.layers['w1']!.iou, 1 / 2);
    assert.equal(p.layers['w2']!.iou, 1 / 4);
    assert.deepEqual(
      [p.total.size, p.total.keptA, p.total.keptB, p.total.intersection, p.total.union], [10, 3, 5, 2, 6]);
    assert.equal(p.total.iou, 2 / 6);
    assert.equal(p.total.ioMin, 2 / 3);
  });

  test('refuses mask sets over different initializers', () => {
    assert.throws(() => overlapPair({ w1: m(1) }, { w2: m(1) }, { subroutine: 'A', seed: 0 },
      { subroutine: 'B', seed: 0 }), /'w1' is masked in only one/);
  });
});

describe('computeOverlap', () => {
  test('pairs subroutines seed by seed and seeds of one subroutine for stability', () => {
    const masks = {
      A: { 0: { w: m(1, 1, 0, 0) }, 1: { w: m(1, 0, 0, 0) } },
      B: { 0: { w: m(0, 0, 1, 1) }, 1: { w: m(1, 0, 1, 0) } },
      C: { 0: { w: m(1, 1, 1, 1) } },
    };
    const r = computeOverlap(masks);
    assert.deepEqual(r.pairs.map((p) => `${p.a.subroutine}${p.a.seed}-${p.b.subroutine}${p.b.seed}`),
      ['A0-B0', 'A1-B1', 'A0-C0', 'B0-C0']);
    assert.deepEqual(r.stability['A']!.map((p) => p.total.iou), [1 / 2]);
    assert.deepEqual(r.stability['C'], []);
    assert.deepEqual(r.matrix.names, ['A', 'B', 'C']);
    // A–B: seed 0 IoU 0, seed 1 IoU 1/2 → mean 1/4; symmetric.
    assert.equal(r.matrix.iou[0]![1], 1 / 4);
    assert.equal(r.matrix.iou[1]![0], 1 / 4);
    assert.equal(r.matrix.iou[0]![0], 1 / 2);
    assert.equal(r.matrix.iou[1]![1], 1 / 3); // B0 vs B1: ∩ = 1, ∪ = 3
    assert.equal(r.matrix.iou[2]![2], null);
    assert.equal(r.matrix.ioMin[0]![2], 1); // A0 inside C0
    assert.equal(r.matrix.layers['w']!.iou[0]![1], 1 / 4);
  });
});
