// Gradient rules for activations and elementwise extrema: each case checked against float64 finite
// differences (checkGradient) and, on the same case, the float32 training graph against float64
// (checkFloat32Gradient). GRADCHECK_LOG=1 prints both errors.
import { describe, test } from 'node:test';
import { checkGradient, type GradientCase } from './checkGradient';
import { checkFloat32Gradient } from './checkFloat32';

const both = async (c: GradientCase) => { await checkGradient(c); await checkFloat32Gradient(c); };
const fixed = (shape: number[], values: number[]) => ({ shape, values, wrt: false });

describe('gradient rules for activations', () => {
  test('Clip with min and max inputs (ReLU6): zero outside, bounds get the clipped gradient', () =>
    both({ op: 'Clip', inputs: [
      { shape: [4, 5], range: [-3, 8], kinks: [0, 6] }, { shape: [], values: [0] }, { shape: [], values: [6] },
    ] }));
  test('Clip with only a max input', () =>
    both({ op: 'Clip', inputs: [{ shape: [3, 4], kinks: [0.5] }, null, fixed([], [0.5])] }));
  test('Clip with min and max attributes (opset 6)', () =>
    both({ op: 'Clip', opset: 9, attrs: { min: -0.5, max: 1.25 }, inputs: [{ shape: [3, 4], kinks: [-0.5, 1.25] }] }));
  test('Clip without bounds passes the gradient', () => both({ op: 'Clip', inputs: [{ shape: [2, 3] }] }));
  test('HardSigmoid with default alpha and beta', () =>
    both({ op: 'HardSigmoid', inputs: [{ shape: [4, 5], range: [-4, 4], kinks: [-2.5, 2.5] }] }));
  test("HardSigmoid as PyTorch exports it (alpha 1/6)", () =>
    both({ op: 'HardSigmoid', attrs: { alpha: 1 / 6 }, inputs: [{ shape: [4, 5], range: [-5, 5], kinks: [-3, 3] }] }));
  test('HardSwish', () =>
    both({ op: 'HardSwish', opset: 14, inputs: [{ shape: [4, 6], range: [-5, 5], kinks: [-3, 3] }] }));
  test('Softplus', () => both({ op: 'Softplus', inputs: [{ shape: [3, 5], range: [-4, 4] }] }));
  test('Elu with alpha 0.7', () => both({ op: 'Elu', attrs: { alpha: 0.7 }, inputs: [{ shape: [3, 5], kinks: [0] }] }));
  test('Selu with default constants', () => both({ op: 'Selu', inputs: [{ shape: [3, 5], kinks: [0] }] }));
  test('PRelu with a per-channel slope [C, 1, 1] (as PyTorch exports it)', () =>
    both({ op: 'PRelu', inputs: [{ shape: [2, 3, 2, 2], kinks: [0] }, { shape: [3, 1, 1], range: [0.05, 0.5] }] }));
  test('PRelu with a single slope', () =>
    both({ op: 'PRelu', inputs: [{ shape: [3, 4], kinks: [0] }, { shape: [1], range: [0.1, 0.3] }] }));
  test('Abs', () => both({ op: 'Abs', inputs: [{ shape: [3, 4], kinks: [0] }] }));
  test('Mish', () => both({ op: 'Mish', inputs: [{ shape: [3, 5], range: [-4, 4] }] }));
  test('Sin', () => both({ op: 'Sin', inputs: [{ shape: [3, 4], range: [-4, 4] }] }));
  test('Cos', () => both({ op: 'Cos', inputs: [{ shape: [3, 4], range: [-4, 4] }] }));
});

describe('gradient rules for Min and Max', () => {
  // The helper zeroes the first element of inputs whose range holds 0: a three-way tie, where no
  // difference quotient tells the split; those coordinates are skipped (ties are checked below). Each
  // input wins somewhere (a tensor whose checked gradients are all 0 is compared against its own noise).
  test('Max of three inputs with broadcasting', () =>
    both({ op: 'Max', inputs: [
      { shape: [3, 4], kinks: [0] }, { shape: [4], range: [0, 2.5], kinks: [0] }, { shape: [3, 1], range: [0.5, 2] },
    ] }));
  test('Min of two inputs with broadcasting', () =>
    both({ op: 'Min', inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1] }] }));
  test('Min at opset 9 (no float Equal there)', () =>
    both({ op: 'Min', opset: 9, inputs: [{ shape: [3, 4] }, { shape: [4] }] }));
  test('Max of one input is the identity', () => both({ op: 'Max', inputs: [{ shape: [2, 3] }] }));
  test('Max splits the gradient evenly between tied inputs', () =>
    both({ op: 'Max', inputs: [{ shape: [4], values: [1, 2, 3, 4] }, { shape: [4], values: [1, 0, 3, 5] }] }));
  test('Max against a constant (Relu-like) with a tie at the constant', () =>
    both({ op: 'Max', inputs: [{ shape: [3, 4], kinks: [0] }, fixed([], [0])] }));
});
