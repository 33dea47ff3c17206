import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient } from './checkGradient';

describe('gradient rules for elementwise ops', () => {
  test('Relu passes the gradient where the input is positive', () =>
    checkGradient({ op: 'Relu', inputs: [{ shape: [3, 5], kinks: [0] }] }));
  test('LeakyRelu scales the gradient by alpha where the input is negative', () =>
    checkGradient({ op: 'LeakyRelu', attrs: { alpha: 0.2 }, inputs: [{ shape: [3, 5], kinks: [0] }] }));
  test('Sigmoid', () => checkGradient({ op: 'Sigmoid', inputs: [{ shape: [2, 3, 4] }] }));
  test('Tanh', () => checkGradient({ op: 'Tanh', inputs: [{ shape: [4, 5] }] }));
  test('Erf', () => checkGradient({ op: 'Erf', inputs: [{ shape: [4, 5] }] }));
  test('Gelu (exact)', () => checkGradient({ op: 'Gelu', opset: 20, inputs: [{ shape: [4, 5] }] }));
  test('Gelu with the tanh approximation', () =>
    checkGradient({ op: 'Gelu', opset: 20, attrs: { approximate: 'tanh' }, inputs: [{ shape: [4, 5] }] }));
  test('Exp', () => checkGradient({ op: 'Exp', inputs: [{ shape: [3, 4] }] }));
  test('Log on positive inputs', () => checkGradient({ op: 'Log', inputs: [{ shape: [3, 4], range: [0.3, 3] }] }));
  test('Sqrt on positive inputs', () => checkGradient({ op: 'Sqrt', inputs: [{ shape: [3, 4], range: [0.3, 3] }] }));
  test('Neg', () => checkGradient({ op: 'Neg', inputs: [{ shape: [3, 4] }] }));
  test('Identity', () => checkGradient({ op: 'Identity', inputs: [{ shape: [3, 4] }] }));
  test('Dropout at inference passes the gradient through', () =>
    checkGradient({ op: 'Dropout', inputs: [{ shape: [3, 4] }] }));
  test('Dropout with ratio and mask output', () => checkGradient({ op: 'Dropout', outputCount: 2, outputs: ['y0'],
    inputs: [{ shape: [3, 4] }, { shape: [], values: [0.3], wrt: false }] }));
  test('Dropout with training_mode false', () => checkGradient({ op: 'Dropout',
    inputs: [{ shape: [3, 4] }, { shape: [], values: [0.5], wrt: false }, { shape: [], type: 'bool', values: [0] }] }));
  test('Dropout in training mode is refused, naming the node', () => assert.rejects(checkGradient({ op: 'Dropout',
    inputs: [{ shape: [3, 4] }, { shape: [], values: [0.5], wrt: false }, { shape: [], type: 'bool', values: [1] }] }),
    /Dropout node 'Dropout_node' runs in training mode/));
  test('Pow with a constant scalar exponent', () =>
    checkGradient({ op: 'Pow', inputs: [{ shape: [3, 4] }, { shape: [], values: [3], wrt: false }] }));
  test('Pow with a fractional exponent on positive inputs', () => checkGradient(
    { op: 'Pow', inputs: [{ shape: [3, 4], range: [0.3, 3] }, { shape: [], values: [1.5], wrt: false }] }));
  test('Pow with an int64 exponent', () =>
    checkGradient({ op: 'Pow', inputs: [{ shape: [3, 4] }, { shape: [], type: 'int64', values: [2] }] }));
  test('Pow differentiated in both base and exponent', () =>
    checkGradient({ op: 'Pow', inputs: [{ shape: [3, 4], range: [0.3, 3] }, { shape: [4], range: [-1.5, 1.5] }] }));
});
