// Which tensors a weight mask may cover: floating point, and at least matrices or conv kernels by default.
import { DataType, type Tensor } from '../onnx/ir';

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

export interface MaskableOptions {
  /** Smallest rank that is maskable (default 2: matrices and conv kernels, not biases or norms). */
  minRank?: number;
}

/** A tensor eligible for a weight mask: floating point and of rank >= `minRank` (2 by default). */
export function isMaskable(tensor: Pick<Tensor, 'dataType' | 'dims'>, options: MaskableOptions = {}): boolean {
  return isFloatType(tensor.dataType) && tensor.dims.length >= (options.minRank ?? 2);
}

export function isFloatType(dataType: number): boolean {
  return FLOAT_TYPES.has(dataType);
}
