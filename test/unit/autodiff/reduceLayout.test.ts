// Gradient rules for extremum and L2 reductions, Tile, CumSum, DepthToSpace/SpaceToDepth and Einsum:
// float64 finite differences (checkGradient) and the float32 graph against float64 (checkFloat32Gradient).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient, type GradientCase } from './checkGradient';
import { checkFloat32Gradient } from './checkFloat32';

const both = async (c: GradientCase) => { await checkGradient(c); await checkFloat32Gradient(c); };
const ints = (shape: number[], values: number[]) => ({ shape, type: 'int64' as const, values });

describe('gradient rules for ReduceMax, ReduceMin and ReduceL2', () => {
  test('ReduceMax over axis 1 with keepdims (axes attribute, opset 13)', () =>
    both({ op: 'ReduceMax', opset: 13, attrs: { axes: [1], keepdims: 1 }, inputs: [{ shape: [2, 4, 3] }] }));
  test('ReduceMax over axes input without keepdims (opset 18)', () =>
    both({ op: 'ReduceMax', inputs: [{ shape: [2, 4, 3] }, ints([2], [0, 2])], attrs: { keepdims: 0 } }));
  test('ReduceMax at opset 9', () =>
    both({ op: 'ReduceMax', opset: 9, attrs: { axes: [0] }, inputs: [{ shape: [3, 4] }] }));
  test('ReduceMax over every axis', () =>
    both({ op: 'ReduceMax', inputs: [{ shape: [3, 4] }], attrs: { keepdims: 0 } }));
  test('ReduceMax splits the gradient evenly among tied maxima', () =>
    both({ op: 'ReduceMax', inputs: [{ shape: [2, 3], values: [1, 3, 3, -1, 2, 0] }, ints([1], [1])] }));
  test('ReduceMin with negative axes (opset 18)', () =>
    both({ op: 'ReduceMin', inputs: [{ shape: [2, 3, 4] }, ints([1], [-1])] }));
  test('ReduceMin with run-time sizes', () =>
    both({ op: 'ReduceMin', opset: 13, unknownDims: true, attrs: { axes: [0], keepdims: 0 },
      inputs: [{ shape: [3, 4] }] }));
  test('ReduceL2 over the last axis (opset 13)', () =>
    both({ op: 'ReduceL2', opset: 13, attrs: { axes: [-1], keepdims: 0 }, inputs: [{ shape: [3, 4] }] }));
  test('ReduceL2 with an axes input and a zero row (gradient 0 there)', () =>
    both({ op: 'ReduceL2', inputs: [{ shape: [3, 2], values: [0, 0, 0.5, -1.5, 2, 0.25] }, ints([1], [1])] }));
});

describe('gradient rules for Tile and CumSum', () => {
  test('Tile with repeats [2, 1, 3]', () => both({ op: 'Tile', inputs: [{ shape: [2, 3, 2] }, ints([3], [2, 1, 3])] }));
  test('Tile with run-time sizes', () =>
    both({ op: 'Tile', unknownDims: true, inputs: [{ shape: [3, 2] }, ints([2], [1, 4])] }));
  test('CumSum along axis 1', () => both({ op: 'CumSum', inputs: [{ shape: [3, 4] }, ints([], [1])] }));
  test('CumSum exclusive', () =>
    both({ op: 'CumSum', attrs: { exclusive: 1 }, inputs: [{ shape: [3, 4] }, ints([], [0])] }));
  test('CumSum reverse along a negative axis', () =>
    both({ op: 'CumSum', attrs: { reverse: 1 }, inputs: [{ shape: [2, 5] }, ints([], [-1])] }));
  test('CumSum exclusive and reverse', () =>
    both({ op: 'CumSum', attrs: { exclusive: 1, reverse: 1 }, inputs: [{ shape: [2, 3, 4] }, ints([], [1])] }));
});

describe('gradient rules for DepthToSpace and SpaceToDepth', () => {
  test('DepthToSpace DCR', () =>
    both({ op: 'DepthToSpace', attrs: { blocksize: 2 }, inputs: [{ shape: [2, 8, 2, 3] }] }));
  test('DepthToSpace CRD', () =>
    both({ op: 'DepthToSpace', attrs: { blocksize: 2, mode: 'CRD' }, inputs: [{ shape: [2, 8, 3, 2] }] }));
  test('DepthToSpace CRD with run-time sizes', () =>
    both({ op: 'DepthToSpace', unknownDims: true, attrs: { blocksize: 3, mode: 'CRD' },
      inputs: [{ shape: [1, 9, 2, 2] }] }));
  test('SpaceToDepth', () => both({ op: 'SpaceToDepth', attrs: { blocksize: 2 }, inputs: [{ shape: [2, 3, 4, 6] }] }));
});

describe('gradient rules for Einsum', () => {
  test('matrix product ij,jk->ik', () =>
    both({ op: 'Einsum', attrs: { equation: 'ij,jk->ik' }, inputs: [{ shape: [3, 4] }, { shape: [4, 2] }] }));
  test('batched attention scores bhqd,bhkd->bhqk', () =>
    both({ op: 'Einsum', attrs: { equation: 'bhqd,bhkd->bhqk' },
      inputs: [{ shape: [2, 2, 3, 4] }, { shape: [2, 2, 5, 4] }] }));
  test('an operand-only letter summed away (ij,j->i with a row sum of k)', () =>
    both({ op: 'Einsum', attrs: { equation: 'ijk,j->i' }, inputs: [{ shape: [2, 3, 4] }, { shape: [3] }] }));
  test('implicit output (ij,kj: letters appearing once, sorted)', () =>
    both({ op: 'Einsum', attrs: { equation: 'ij,kj' }, inputs: [{ shape: [3, 4] }, { shape: [2, 4] }] }));
  test('ellipsis ...ij,jk->...ik', () =>
    both({ op: 'Einsum', attrs: { equation: '...ij,jk->...ik' }, inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }] }));
  test('batched product with run-time sizes', () =>
    both({ op: 'Einsum', unknownDims: true, attrs: { equation: 'bij,bjk->bik' },
      inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }] }));
  test('three operands and a transposed output', () =>
    both({ op: 'Einsum', attrs: { equation: 'ab,bc,cd->da' },
      inputs: [{ shape: [2, 3] }, { shape: [3, 4] }, { shape: [4, 2] }] }));
  test('a diagonal (repeated letter) is refused, naming the node', () => assert.rejects(
    checkGradient({ op: 'Einsum', attrs: { equation: 'ii->i' }, inputs: [{ shape: [3, 3] }] }),
    { name: 'AutodiffError', message: /Einsum_node.*diagonal/ }));
});
