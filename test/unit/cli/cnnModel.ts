// A small CNN built in code (Conv → Relu → MaxPool → Conv → Relu → Flatten → Gemm) and random image
// data, for the gradcheck and attribute tests.
import type { Model } from '../../../src/core/onnx/ir';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { Rng } from '../../../src/core/util/random';

export const CNN_WEIGHTS = ['conv1.weight', 'conv2.weight', 'fc.weight'];

/** Input image [N, 2, 6, 6] → 3 logits. */
export function smallCnn(seed = 1): Model {
  const rng = new Rng(seed);
  const draw = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  return makeModel({
    inputs: [{ name: 'image', shape: ['N', 2, 6, 6] }], outputs: [{ name: 'logits', shape: ['N', 3] }],
    nodes: [
      {
        op: 'Conv', inputs: ['image', 'conv1.weight', 'conv1.bias'], outputs: ['c1'],
        attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name: '/conv1/Conv',
      },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'], name: '/conv1/Relu' },
      {
        op: 'MaxPool', inputs: ['r1'], outputs: ['p1'],
        attrs: { kernel_shape: [2, 2], strides: [2, 2] }, name: '/pool/MaxPool',
      },
      {
        op: 'Conv', inputs: ['p1', 'conv2.weight'], outputs: ['c2'],
        attrs: { kernel_shape: [2, 2], strides: [1, 1] }, name: '/conv2/Conv',
      },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'], name: '/conv2/Relu' },
      { op: 'Flatten', inputs: ['r2'], outputs: ['f'], name: '/Flatten' },
      {
        op: 'Gemm', inputs: ['f', 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { transB: 1 }, name: '/fc/Gemm',
      },
    ],
    initializers: [
      makeTensor('conv1.weight', 1, [4, 2, 3, 3], draw(72, 0.4)), makeTensor('conv1.bias', 1, [4], draw(4, 0.1)),
      makeTensor('conv2.weight', 1, [5, 4, 2, 2], draw(80, 0.4)),
      makeTensor('fc.weight', 1, [3, 20], draw(60, 0.3)), makeTensor('fc.bias', 1, [3], draw(3, 0.1)),
    ],
  });
}

export function cnnImages(n: number, seed = 2): { image: Float32Array; labels: BigInt64Array } {
  const rng = new Rng(seed);
  return {
    image: Float32Array.from({ length: n * 2 * 36 }, () => rng.normal()),
    labels: BigInt64Array.from({ length: n }, () => BigInt(rng.int(3))),
  };
}
