import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient } from './checkGradient';

const i64 = (values: number[], shape = [values.length]) => ({ shape, type: 'int64' as const, values });

describe('gradient rules for shape and indexing ops', () => {
  test('Flatten reshapes the gradient back', () =>
    checkGradient({ op: 'Flatten', attrs: { axis: 2 }, inputs: [{ shape: [2, 3, 2, 2] }] }));
  test('Reshape with a -1 dimension', () =>
    checkGradient({ op: 'Reshape', inputs: [{ shape: [2, 3, 4] }, i64([4, -1])] }));
  test('Transpose with an explicit permutation', () =>
    checkGradient({ op: 'Transpose', attrs: { perm: [2, 0, 1] }, inputs: [{ shape: [2, 3, 4] }] }));
  test('Transpose with the default (reversing) permutation', () =>
    checkGradient({ op: 'Transpose', inputs: [{ shape: [2, 3, 4] }] }));
  test('Squeeze with axes as an input (opset 13)', () =>
    checkGradient({ op: 'Squeeze', inputs: [{ shape: [2, 1, 3, 1] }, i64([1, -1])] }));
  test('Squeeze with axes as an attribute (opset 11)', () =>
    checkGradient({ op: 'Squeeze', opset: 11, attrs: { axes: [1] }, inputs: [{ shape: [2, 1, 3] }] }));
  test('Unsqueeze with axes as an input (opset 13)', () =>
    checkGradient({ op: 'Unsqueeze', inputs: [{ shape: [2, 3] }, i64([0, -1])] }));
  test('Unsqueeze with axes as an attribute (opset 11)', () =>
    checkGradient({ op: 'Unsqueeze', opset: 11, attrs: { axes: [1, 3] }, inputs: [{ shape: [2, 3] }] }));
  test('Concat of three inputs along a middle axis', () => checkGradient(
    { op: 'Concat', attrs: { axis: 1 }, inputs: [{ shape: [2, 1, 3] }, { shape: [2, 3, 3] }, { shape: [2, 2, 3] }] }));
  test('Concat along a negative axis at opset 11', () =>
    checkGradient({ op: 'Concat', opset: 11, attrs: { axis: -1 }, inputs: [{ shape: [2, 3] }, { shape: [2, 2] }] }));
  test('Concat with run-time sizes', () => checkGradient(
    { op: 'Concat', attrs: { axis: 0 }, unknownDims: true, inputs: [{ shape: [1, 3] }, { shape: [2, 3] }] }));
  test('Split with sizes as an input (opset 13)', () =>
    checkGradient({ op: 'Split', outputCount: 3, attrs: { axis: 1 }, inputs: [{ shape: [2, 6] }, i64([1, 2, 3])] }));
  test('Split with num_outputs (opset 18)', () =>
    checkGradient({ op: 'Split', outputCount: 2, attrs: { axis: 0, num_outputs: 2 }, inputs: [{ shape: [4, 3] }] }));
  test('Split with sizes as an attribute (opset 11)', () => checkGradient(
    { op: 'Split', opset: 11, outputCount: 2, attrs: { axis: 0, split: [1, 3] }, inputs: [{ shape: [4, 3] }] }));
  test('Split where only one output is scored', () => checkGradient(
    { op: 'Split', outputCount: 3, outputs: ['y1'], attrs: { axis: 1 }, inputs: [{ shape: [2, 6] }, i64([2, 2, 2])] }));
  test('Slice with steps and negative indices', () => checkGradient(
    { op: 'Slice', inputs: [{ shape: [5, 7] }, i64([-1, 1]), i64([-6, 100]), i64([0, 1]), i64([-2, 3])] }));
  test('Slice with a negative start and default axes', () =>
    checkGradient({ op: 'Slice', inputs: [{ shape: [4, 6] }, i64([1, -4]), i64([3, -1])] }));
  test('Slice before opset 11 is refused with the node named', () => assert.rejects(
    checkGradient(
      { op: 'Slice', opset: 9, attrs: { starts: [1], ends: [-1], axes: [1] }, inputs: [{ shape: [3, 5] }] }),
    { name: 'AutodiffError', message: /Slice_node.*opset 11/ }));
  test('Gather embeddings with repeated indices sums their gradients', () =>
    checkGradient({ op: 'Gather', inputs: [{ shape: [5, 3] }, i64([1, 3, 1, 0, 1, -1], [2, 3])] }));
  test('Gather embeddings before opset 16 (one-hot form) with repeated indices', () =>
    checkGradient({ op: 'Gather', opset: 13, inputs: [{ shape: [5, 3] }, i64([1, 3, 1, 0, 1, -1], [2, 3])] }));
  test('Gather selects indices along a middle axis', () =>
    checkGradient({ op: 'Gather', attrs: { axis: 1 }, inputs: [{ shape: [2, 4, 3] }, i64([2, 0, 2, -1])] }));
  test('Gather along the last axis with a scalar index', () =>
    checkGradient({ op: 'Gather', attrs: { axis: -1 }, inputs: [{ shape: [2, 3, 4] }, i64([2], [])] }));
  test('Gather along a middle axis before opset 16', () => checkGradient(
    { op: 'Gather', opset: 13, attrs: { axis: 1 }, inputs: [{ shape: [2, 4, 3] }, i64([2, 0, 2, -1], [2, 2])] }));
  test('Expand broadcasts and the gradient sums back', () =>
    checkGradient({ op: 'Expand', inputs: [{ shape: [3, 1] }, i64([2, 3, 4])] }));
  test('Where routes the gradient by the condition, with broadcasting', () => checkGradient({ op: 'Where',
    inputs: [{ shape: [2, 3], type: 'bool', values: [1, 0, 1, 0, 0, 1] }, { shape: [2, 3] }, { shape: [3] }] }));
  test('Cast between float types passes the gradient', () => checkGradient(
    { nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['c'], attrs: { to: 11 } },
      { op: 'Mul', inputs: ['c', 'c'], outputs: ['y'] }], inputs: { x: { shape: [3, 2] } } }));
  test('Pad (constant mode) with positive and negative pads', () =>
    checkGradient({ op: 'Pad', inputs: [{ shape: [3, 4] }, i64([1, -1, 2, 2])] }));
  test('Pad with axes and a constant value (opset 18)', () => checkGradient({ op: 'Pad',
    inputs: [{ shape: [2, 3, 4] }, i64([2, 0, 1, 3]), { shape: [], values: [0.5], wrt: false }, i64([0, 2])] }));
  test('Pad with pads as an attribute (opset 10)', () =>
    checkGradient({ op: 'Pad', opset: 10, attrs: { pads: [0, 1, 1, 0] }, inputs: [{ shape: [2, 3] }] }));
});
