// A typed array as an onnxruntime tensor of the matching element type.
import { ort } from '../runtime/session';
import { TrainerError } from './errors';

export function toOrt(data: ArrayLike<number> | ArrayLike<bigint>, dims: number[]): ort.Tensor {
  if (data instanceof Float32Array) return new ort.Tensor('float32', data, dims);
  if (data instanceof Float64Array) return new ort.Tensor('float64', data, dims);
  if (data instanceof BigInt64Array) return new ort.Tensor('int64', data, dims);
  if (data instanceof Int32Array) return new ort.Tensor('int32', data, dims);
  if (data instanceof Uint8Array) return new ort.Tensor('uint8', data, dims);
  throw new TrainerError(`unsupported input array type ${Object.prototype.toString.call(data)}`);
}
