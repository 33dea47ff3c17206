// Element types of dataset and mask arrays, and their spellings in numpy, safetensors and ONNX.
import { DataType } from '../onnx/ir';

export type Dtype =
  | 'float16' | 'float32' | 'float64' | 'bool'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

export type ArrayData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A dense C-order array. float16 is kept as raw bits (Uint16Array), bool as Uint8Array of 0/1. */
export interface NamedArray {
  dtype: Dtype;
  shape: number[];
  data: ArrayData;
}

/** dtype and shape without data (what a Dataset knows before reading). */
export interface ArrayInfo {
  dtype: Dtype;
  shape: number[];
}

type Ctor = {
  new (n: number): ArrayData;
  new (b: ArrayBuffer, off?: number, len?: number): ArrayData;
  BYTES_PER_ELEMENT: number;
};
type DtypeFacts = { ctor: Ctor; size: number; numpy: string; safetensors: string; onnx: number };

export const dtypeInfo: Record<Dtype, DtypeFacts> = {
  float16: { ctor: Uint16Array, size: 2, numpy: '<f2', safetensors: 'F16', onnx: DataType.FLOAT16 },
  float32: { ctor: Float32Array, size: 4, numpy: '<f4', safetensors: 'F32', onnx: DataType.FLOAT },
  float64: { ctor: Float64Array, size: 8, numpy: '<f8', safetensors: 'F64', onnx: DataType.DOUBLE },
  bool: { ctor: Uint8Array, size: 1, numpy: '|b1', safetensors: 'BOOL', onnx: DataType.BOOL },
  int8: { ctor: Int8Array, size: 1, numpy: '|i1', safetensors: 'I8', onnx: DataType.INT8 },
  uint8: { ctor: Uint8Array, size: 1, numpy: '|u1', safetensors: 'U8', onnx: DataType.UINT8 },
  int16: { ctor: Int16Array, size: 2, numpy: '<i2', safetensors: 'I16', onnx: DataType.INT16 },
  uint16: { ctor: Uint16Array, size: 2, numpy: '<u2', safetensors: 'U16', onnx: DataType.UINT16 },
  int32: { ctor: Int32Array, size: 4, numpy: '<i4', safetensors: 'I32', onnx: DataType.INT32 },
  uint32: { ctor: Uint32Array, size: 4, numpy: '<u4', safetensors: 'U32', onnx: DataType.UINT32 },
  int64: { ctor: BigInt64Array, size: 8, numpy: '<i8', safetensors: 'I64', onnx: DataType.INT64 },
  uint64: { ctor: BigUint64Array, size: 8, numpy: '<u8', safetensors: 'U64', onnx: DataType.UINT64 },
};

export const DTYPES = Object.keys(dtypeInfo) as Dtype[];

export function isIntegerDtype(d: Dtype): boolean {
  return d.startsWith('int') || d.startsWith('uint');
}

/** The dtype for an ONNX element type, or undefined when datasets cannot hold it. */
export function dtypeOfOnnx(elemType: number): Dtype | undefined {
  return DTYPES.find((d) => dtypeInfo[d].onnx === elemType);
}

export function elementCountOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Copies little-endian bytes into a fresh, aligned typed array of the dtype. */
export function arrayFromBytes(dtype: Dtype, bytes: Uint8Array): ArrayData {
  const { ctor, size } = dtypeInfo[dtype];
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(bytes);
  return new ctor(buf, 0, bytes.byteLength / size);
}

export function bytesOfArray(data: ArrayData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Every element as a JS number (int64 through Number()). */
export function toNumbers(data: ArrayData): number[] {
  return Array.from(data as ArrayLike<number | bigint>, Number);
}
