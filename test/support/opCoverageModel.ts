// One model with the shape-relevant variants of ops the PyTorch exports do not cover (opset 18): the
// static shape inference test runs it in onnxruntime and compares every tensor's shape.
import { makeModel } from '../../src/core/onnx/makeModel';
import { DataType, type Model } from '../../src/core/onnx/ir';
import { makeTensor } from '../../src/core/onnx/tensorCodec';

const I64 = DataType.INT64;
const F = DataType.FLOAT;
/** A float weight named after its dims (w3x2x3x3), all 0.1. */
function floats(dims: number[]) {
  return makeTensor(`w${dims.join('x')}`, F, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1));
}
function ints(name: string, values: number[], dims = [values.length]) {
  return makeTensor(name, I64, dims, values.map(BigInt));
}

export function opCoverageModel(): Model {
  const INT_MIN = -(2 ** 53);
  return makeModel({
    inputs: [{ name: 'x', shape: ['N', 3, 10, 9] }, { name: 't', shape: ['N', 6] }],
    outputs: [{ name: 'y' }],
    initializers: [
      floats([3, 2, 3, 3]), floats([4, 3, 2, 2]), floats([6, 5]), floats([7, 6]), floats([6]), floats([4, 6, 2]),
      floats([10, 9]),
      ints('split_sizes', [3, 7]), ints('rm_axes', [1, 3]), ints('sl_starts', [-1, 8]), ints('sl_ends', [INT_MIN, 0]),
      ints('sl_axes', [2, 3]), ints('sl_steps', [-2, -3]), ints('gather_idx', [0, 1, 2, 0], [2, 2]), ints('k', [4]),
      ints('r_start', [0], []), ints('r_limit', [10], []), ints('r_delta', [3], []), ints('tile_reps', [2, 3]),
      ints('pads', [0, 0, 1, 2, 0, 0, 3, 4]), ints('reshape_to', [0, -1, 0]), ints('unsq_axes', [-1, 0]),
      ints('expand_to', [2, 1, 6]), ints('cos_shape', [2, 5]), ints('axis1', [1], []),
      makeTensor('scales', F, [4], [1, 1, 1.5, 0.5]),
      makeTensor('cond', DataType.BOOL, [10, 1], new Uint8Array(10).fill(1)),
      makeTensor('half', F, [], [0.5]),
    ],
    nodes: [
      { op: 'Split', inputs: ['x'], outputs: ['s0', 's1'], attrs: { axis: 1, num_outputs: 2 } },
      { op: 'Split', inputs: ['x', 'split_sizes'], outputs: ['s2', 's3'], attrs: { axis: 2 } },
      { op: 'ReduceMean', inputs: ['x', 'rm_axes'], outputs: ['rm'] },
      { op: 'Squeeze', inputs: ['rm', 'rm_axes'], outputs: ['sq'] },
      { op: 'Slice', inputs: ['x', 'sl_starts', 'sl_ends', 'sl_axes', 'sl_steps'], outputs: ['sl'] },
      { op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['rs'], attrs: { mode: 'nearest' } },
      {
        op: 'ConvTranspose', inputs: ['x', 'w3x2x3x3'], outputs: ['ct'],
        attrs: { strides: [2, 2], pads: [1, 1, 0, 0], output_padding: [1, 0], dilations: [2, 1] },
      },
      { op: 'MaxPool', inputs: ['x'], outputs: ['mp'], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 } },
      {
        op: 'AveragePool', inputs: ['x'], outputs: ['ap'],
        attrs: { kernel_shape: [3, 2], pads: [1, 1, 1, 1], strides: [3, 2] },
      },
      { op: 'Conv', inputs: ['x', 'w4x3x2x2'], outputs: ['cv'], attrs: { auto_pad: 'SAME_UPPER', strides: [3, 3] } },
      { op: 'Gather', inputs: ['x', 'gather_idx'], outputs: ['ga'], attrs: { axis: -2 } },
      { op: 'TopK', inputs: ['x', 'k'], outputs: ['tk_values', 'tk_indices'], attrs: { axis: -1 } },
      { op: 'Range', inputs: ['r_start', 'r_limit', 'r_delta'], outputs: ['rg'] },
      { op: 'Tile', inputs: ['t', 'tile_reps'], outputs: ['ti'] },
      { op: 'Pad', inputs: ['x', 'pads'], outputs: ['pd'] },
      { op: 'Flatten', inputs: ['x'], outputs: ['fl0'], attrs: { axis: 0 } },
      { op: 'Flatten', inputs: ['x'], outputs: ['fl3'], attrs: { axis: 3 } },
      { op: 'Gemm', inputs: ['w6x5', 'w7x6'], outputs: ['gm'], attrs: { transA: 1, transB: 1 } },
      { op: 'ReduceSum', inputs: ['x'], outputs: ['rsum'], attrs: { noop_with_empty_axes: 1 } },
      { op: 'ReduceMax', inputs: ['x'], outputs: ['rmax'], attrs: { keepdims: 0 } },
      { op: 'ArgMax', inputs: ['x'], outputs: ['am'], attrs: { axis: 2, keepdims: 0 } },
      { op: 'Reshape', inputs: ['x', 'reshape_to'], outputs: ['rh'] },
      { op: 'Unsqueeze', inputs: ['x', 'unsq_axes'], outputs: ['us'] },
      { op: 'Expand', inputs: ['t', 'expand_to'], outputs: ['ex'] },
      { op: 'LayerNormalization', inputs: ['x', 'w10x9'], outputs: ['ln', 'ln_mean', 'ln_inv'], attrs: { axis: 2 } },
      { op: 'Concat', inputs: ['x', 'x'], outputs: ['cc'], attrs: { axis: -3 } },
      { op: 'Shape', inputs: ['x'], outputs: ['sh'], attrs: { start: 1, end: -1 } },
      { op: 'Size', inputs: ['x'], outputs: ['sz'] },
      { op: 'ConstantOfShape', inputs: ['cos_shape'], outputs: ['cs'] },
      { op: 'CumSum', inputs: ['x', 'axis1'], outputs: ['cu'] },
      { op: 'MatMul', inputs: ['t', 'w6'], outputs: ['mv'] },
      { op: 'MatMul', inputs: ['w6', 'w4x6x2'], outputs: ['vm'] },
      { op: 'Where', inputs: ['cond', 'x', 'half'], outputs: ['wh'] },
      { op: 'Einsum', inputs: ['x'], outputs: ['es'], attrs: { equation: 'nchw->nhwc' } },
      { op: 'Relu', inputs: ['es'], outputs: ['y'] },
    ],
  });
}
