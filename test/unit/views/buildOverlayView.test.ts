import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOverlayView, OverlayError, type RunMasks } from '../../../src/core/views/buildOverlayView';
import type { LayerGraphView, LayerNode } from '../../../src/shared/viewModel';

function node(id: string, params: [string, number][]): LayerNode {
  return {
    id, label: id, opType: 'MatMul', domain: '', attributes: {}, inputs: [], outputs: [],
    parameters: params.map(([name, count]) => ({ name, shape: [count], dataType: 'float32', count, maskable: true })),
    parameterCount: params.reduce((a, [, c]) => a + c, 0),
  };
}

const graph: LayerGraphView = {
  model: { name: 'm', irVersion: 9, opset: 17, producer: 't', parameterCount: 8, maskableCount: 2 },
  nodes: [node('a', [['W1', 4]]), node('b', [['W2', 4]]), node('relu', [])],
  edges: [],
  groups: [],
};

const u8 = (...xs: number[]) => Uint8Array.from(xs);
function masks(entries: Record<string, Record<number, Record<string, Uint8Array>>>): RunMasks {
  return new Map(Object.entries(entries).map(([sub, seeds]) =>
    [sub, new Map(Object.entries(seeds).map(([s, set]) => [Number(s), new Map(Object.entries(set))]))]));
}

describe('buildOverlayView', () => {
  test('counts elements per membership pattern for every seed', () => {
    const ov = buildOverlayView({ graph, masks: masks({
      A: { 0: { W1: u8(1, 1, 0, 0), W2: u8(0, 0, 0, 1) }, 1: { W1: u8(1, 0, 0, 0), W2: u8(0, 0, 0, 0) } },
      B: { 0: { W1: u8(0, 1, 1, 0), W2: u8(0, 0, 0, 1) }, 1: { W1: u8(1, 1, 1, 1), W2: u8(0, 0, 0, 0) } },
    }) });
    assert.deepEqual(ov.subnetworks.map((s) => s.id), ['A', 'B']);
    assert.deepEqual(ov.seeds, [0, 1]);
    // W1 seed 0: element0 A only (1), element1 both (3), element2 B only (2), element3 none (0).
    assert.deepEqual(ov.nodes.a!.bySeed[0], [1, 1, 1, 1]);
    assert.deepEqual(ov.nodes.a!.bySeed[1], [0, 0, 3, 1]);
    assert.deepEqual(ov.nodes.b!.bySeed[0], [3, 0, 0, 1]);
    assert.equal(ov.nodes.relu, undefined, 'nodes without masked parameters have no overlay');
    assert.equal(ov.model.total, 8);
  });

  test('derives inclusion-frequency patterns: kept in at least k of S seeds', () => {
    const ov = buildOverlayView({ graph, masks: masks({
      A: { 0: { W1: u8(1, 1, 0, 0), W2: u8(0, 0, 0, 0) }, 1: { W1: u8(1, 0, 0, 0), W2: u8(0, 0, 0, 0) } },
      B: { 0: { W1: u8(0, 0, 0, 0), W2: u8(0, 0, 0, 0) }, 1: { W1: u8(0, 0, 0, 0), W2: u8(0, 0, 0, 0) } },
    }) });
    // A keeps element0 in 2/2 seeds and element1 in 1/2.
    assert.deepEqual(ov.nodes.a!.atLeast[0], [2, 2, 0, 0], 'k = 1: any seed');
    assert.deepEqual(ov.nodes.a!.atLeast[1], [3, 1, 0, 0], 'k = 2: every seed');
    assert.deepEqual(ov.nodes.a!.parameters, [{ name: 'W1', total: 4, kept: [1.5, 0] }]);
    assert.equal(ov.subnetworks[0]!.keptFraction, 1.5 / 8);
  });

  test('counts a tensor shared by two nodes once in the model totals', () => {
    const shared: LayerGraphView = { ...graph, nodes: [node('a', [['W', 2]]), node('b', [['W', 2]])] };
    const ov = buildOverlayView({ graph: shared, masks: masks({ A: { 0: { W: u8(1, 0) } } }) });
    assert.equal(ov.nodes.a!.total, 2);
    assert.equal(ov.nodes.b!.total, 2);
    assert.equal(ov.model.total, 2);
  });

  test('lists masked tensors that no node consumes', () => {
    const ov = buildOverlayView({ graph, masks: masks({ A: { 0: { W1: u8(1, 0, 0, 0), Wx: u8(1) } } }) });
    assert.deepEqual(ov.unmatched, ['Wx']);
  });

  test('rejects masks of one tensor with different sizes, naming the tensor and the mask', () => {
    assert.throws(
      () => buildOverlayView({ graph, masks: masks({ A: { 0: { W1: u8(1, 0, 0, 0) } }, B: { 0: { W1: u8(1, 0) } } }) }),
      (e: unknown) => e instanceof OverlayError && e.initializer === 'W1' && /B\/seed-0/.test(e.message),
    );
  });
});
