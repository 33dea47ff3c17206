import { describe, test } from 'node:test';
import { checkGradient } from './checkGradient';

describe('gradient rules for broadcasting binary ops', () => {
  test('Add of equal shapes', () => checkGradient({ op: 'Add', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }] }));
  test('Add of [N,C] and [C]', () => checkGradient({ op: 'Add', inputs: [{ shape: [3, 4] }, { shape: [4] }] }));
  test('Sub of [N,1] and [1,C]', () => checkGradient({ op: 'Sub', inputs: [{ shape: [3, 1] }, { shape: [1, 4] }] }));
  test('Mul of [N,1] and [1,C]', () => checkGradient({ op: 'Mul', inputs: [{ shape: [3, 1] }, { shape: [1, 4] }] }));
  test('Mul of a tensor and a rank-0 scalar', () =>
    checkGradient({ op: 'Mul', inputs: [{ shape: [2, 3] }, { shape: [] }] }));
  test('Mul of two rank-0 scalars', () => checkGradient({ op: 'Mul', inputs: [{ shape: [] }, { shape: [] }] }));
  test('Mul of [1] and [2,1,3]', () => checkGradient({ op: 'Mul', inputs: [{ shape: [1] }, { shape: [2, 1, 3] }] }));
  test('Div of [2,3,4] by [3,1]', () =>
    checkGradient({ op: 'Div', inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1], range: [0.5, 2] }] }));
  test('Div of a scalar by a tensor', () =>
    checkGradient({ op: 'Div', inputs: [{ shape: [] }, { shape: [2, 3], range: [-2, -0.5] }] }));
  test('Sum of three broadcast inputs', () =>
    checkGradient({ op: 'Sum', inputs: [{ shape: [2, 3] }, { shape: [3] }, { shape: [2, 1] }] }));
  test('Mul with dims unknown until run time ([N,1] * [1,C])', () =>
    checkGradient({ op: 'Mul', unknownDims: true, inputs: [{ shape: [3, 1] }, { shape: [1, 4] }] }));
  test('Add with dims unknown until run time ([N,C] + [C])', () =>
    checkGradient({ op: 'Add', unknownDims: true, inputs: [{ shape: [3, 4] }, { shape: [4] }] }));
});

describe('gradient rules for matrix products', () => {
  test('MatMul of two matrices', () => checkGradient({ op: 'MatMul', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }] }));
  test('MatMul batched with a broadcast weight', () =>
    checkGradient({ op: 'MatMul', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }] }));
  test('MatMul of a rank-4 input with a 2-D weight', () =>
    checkGradient({ op: 'MatMul', inputs: [{ shape: [2, 2, 3, 4] }, { shape: [4, 5] }] }));
  test('MatMul with broadcast batch dims on both sides', () =>
    checkGradient({ op: 'MatMul', inputs: [{ shape: [2, 1, 3, 4] }, { shape: [1, 3, 4, 2] }] }));
  test('MatMul of a vector and a batched matrix', () =>
    checkGradient({ op: 'MatMul', inputs: [{ shape: [4] }, { shape: [2, 4, 3] }] }));
  test('MatMul of a batched matrix and a vector', () =>
    checkGradient({ op: 'MatMul', inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] }));
  test('MatMul of two vectors', () => checkGradient({ op: 'MatMul', inputs: [{ shape: [4] }, { shape: [4] }] }));
  test('MatMul batched with dims unknown until run time', () =>
    checkGradient({ op: 'MatMul', unknownDims: true, inputs: [{ shape: [2, 3, 4] }, { shape: [1, 4, 5] }] }));
  test('Gemm plain', () => checkGradient({ op: 'Gemm', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }] }));
  test('Gemm with transB and a [N] bias', () => checkGradient(
    { op: 'Gemm', attrs: { transB: 1 }, inputs: [{ shape: [3, 4] }, { shape: [5, 4] }, { shape: [5] }] }));
  test('Gemm with transA, alpha, beta and a [M,1] bias', () => checkGradient({ op: 'Gemm',
    attrs: { transA: 1, alpha: 0.7, beta: 1.3 }, inputs: [{ shape: [4, 3] }, { shape: [4, 5] }, { shape: [3, 1] }] }));
  test('Gemm with both transposed and a scalar bias', () => checkGradient(
    { op: 'Gemm', attrs: { transA: 1, transB: 1 }, inputs: [{ shape: [4, 3] }, { shape: [5, 4] }, { shape: [] }] }));
  test('Gemm with a full [M,N] bias', () =>
    checkGradient({ op: 'Gemm', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }, { shape: [3, 5] }] }));
});

describe('gradient rules for softmax and reductions', () => {
  test('Softmax over the last axis (opset 13+)', () => checkGradient({ op: 'Softmax', inputs: [{ shape: [3, 5] }] }));
  test('Softmax over a middle axis (opset 13+)', () =>
    checkGradient({ op: 'Softmax', attrs: { axis: 1 }, inputs: [{ shape: [2, 3, 4] }] }));
  test('Softmax before opset 13 flattens from the axis on', () =>
    checkGradient({ op: 'Softmax', opset: 11, attrs: { axis: 1 }, inputs: [{ shape: [2, 3, 4] }] }));
  test('LogSoftmax over the last axis (opset 13+)', () =>
    checkGradient({ op: 'LogSoftmax', inputs: [{ shape: [3, 5] }] }));
  test('LogSoftmax before opset 13 with the default axis', () =>
    checkGradient({ op: 'LogSoftmax', opset: 12, inputs: [{ shape: [2, 3, 4] }] }));
  test('ReduceSum with axes as input and keepdims=0 (opset 13+)', () => checkGradient({ op: 'ReduceSum',
    attrs: { keepdims: 0 }, inputs: [{ shape: [2, 3, 4] }, { shape: [2], type: 'int64', values: [0, -1] }] }));
  test('ReduceSum with axes as input and keepdims=1', () =>
    checkGradient({ op: 'ReduceSum', inputs: [{ shape: [2, 3, 4] }, { shape: [1], type: 'int64', values: [1] }] }));
  test('ReduceSum over all axes', () =>
    checkGradient({ op: 'ReduceSum', attrs: { keepdims: 0 }, inputs: [{ shape: [2, 3] }] }));
  test('ReduceSum with noop_with_empty_axes', () => checkGradient({ op: 'ReduceSum', attrs: { noop_with_empty_axes: 1 },
    inputs: [{ shape: [2, 3] }, { shape: [0], type: 'int64', values: [] }] }));
  test('ReduceSum with axes as an attribute (opset 11)', () =>
    checkGradient({ op: 'ReduceSum', opset: 11, attrs: { axes: [1], keepdims: 0 }, inputs: [{ shape: [2, 3, 4] }] }));
  test('ReduceMean with axes as an attribute (opset 17)', () =>
    checkGradient({ op: 'ReduceMean', opset: 17, attrs: { axes: [-1], keepdims: 0 }, inputs: [{ shape: [2, 3, 4] }] }));
  test('ReduceMean with axes as input (opset 18)', () => checkGradient({ op: 'ReduceMean', opset: 18,
    attrs: { keepdims: 1 }, inputs: [{ shape: [2, 3, 4] }, { shape: [2], type: 'int64', values: [0, 2] }] }));
  test('ReduceMean over all axes with dims unknown until run time', () =>
    checkGradient({ op: 'ReduceMean', unknownDims: true, attrs: { keepdims: 0 }, inputs: [{ shape: [2, 3] }] }));
});
