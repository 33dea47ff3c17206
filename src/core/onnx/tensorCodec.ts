// TensorProto <-> Tensor. Reading copies bytes out of the file buffer (decoded rawData is a view at an
// arbitrary offset, unusable for aligned typed arrays); writing always uses little-endian raw_data.
import { create } from '@bufbuild/protobuf';
import { TensorProtoSchema, type TensorProto } from 'onnx-buf';
import { DataType, dataTypeName, elementCount, type Tensor, type TensorData } from './ir';
import { OnnxFormatError } from './errors';

type TypedCtor = {
  new (n: number): Exclude<TensorData, string[]>;
  new (b: ArrayBuffer): Exclude<TensorData, string[]>;
  BYTES_PER_ELEMENT: number;
};

const ctorOf: Record<number, TypedCtor> = {
  [DataType.FLOAT]: Float32Array, [DataType.DOUBLE]: Float64Array,
  [DataType.INT8]: Int8Array, [DataType.UINT8]: Uint8Array, [DataType.BOOL]: Uint8Array,
  [DataType.INT16]: Int16Array, [DataType.UINT16]: Uint16Array,
  [DataType.FLOAT16]: Uint16Array, [DataType.BFLOAT16]: Uint16Array,
  [DataType.INT32]: Int32Array, [DataType.UINT32]: Uint32Array,
  [DataType.INT64]: BigInt64Array, [DataType.UINT64]: BigUint64Array,
  [DataType.COMPLEX64]: Float32Array, [DataType.COMPLEX128]: Float64Array,
};

/** Number of array elements per tensor element (complex numbers take two). */
function lanes(dataType: number): number {
  return dataType === DataType.COMPLEX64 || dataType === DataType.COMPLEX128 ? 2 : 1;
}

/** An empty typed array of the right kind for a data type (Uint8Array for packed types such as int4/float8). */
export function allocTensorData(dataType: number, count: number): TensorData {
  if (dataType === DataType.STRING) return new Array<string>(count).fill('');
  const Ctor = ctorOf[dataType] ?? Uint8Array;
  return new Ctor(count * lanes(dataType));
}

/** Copies little-endian bytes into a fresh, aligned typed array. */
export function typedFromBytes(dataType: number, bytes: Uint8Array): TensorData {
  const Ctor = ctorOf[dataType] ?? Uint8Array;
  if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) {
    throw new OnnxFormatError(
      `${bytes.byteLength} bytes is not a whole number of ${dataTypeName[dataType] ?? dataType} elements`);
  }
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new Ctor(copy);
}

export function bytesOfTyped(data: Exclude<TensorData, string[]>): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Decodes a tensor whose bytes are in the proto; `external` bytes are passed in by the caller, and become
 * the tensor's data without a copy when `owned` (a fresh array nobody else holds) and aligned.
 */
export function decodeTensor(
  proto: TensorProto, externalBytes?: Uint8Array, options: { owned?: boolean } = {},
): Tensor {
  const dims = proto.dims.map(Number);
  const dataType = proto.dataType;
  const count = elementCount(dims);
  const tensor: Tensor = { name: proto.name, dataType, dims, data: allocTensorData(dataType, 0), proto };
  if (externalBytes) {
    const Ctor = ctorOf[dataType];
    const size = Ctor?.BYTES_PER_ELEMENT ?? 0;
    const aligned = externalBytes.byteOffset % size === 0 && externalBytes.byteLength % size === 0;
    const wrap = options.owned && Ctor && aligned;
    tensor.data = wrap
      ? new (Ctor as unknown as new (b: ArrayBufferLike, o: number, n: number) => Exclude<TensorData, string[]>)(
        externalBytes.buffer, externalBytes.byteOffset, externalBytes.byteLength / Ctor.BYTES_PER_ELEMENT)
      : typedFromBytes(dataType, externalBytes);
  } else if (dataType === DataType.STRING) {
    const dec = new TextDecoder();
    tensor.data = proto.stringData.map((b) => dec.decode(b));
  } else if (proto.rawData.byteLength > 0) {
    tensor.data = typedFromBytes(dataType, proto.rawData);
  } else {
    tensor.data = fromTypedFields(proto, dataType);
  }
  const expected = dataType === DataType.STRING ? count : count * lanes(dataType);
  const Ctor = ctorOf[dataType];
  if (Ctor && tensor.data.length !== expected) {
    throw new OnnxFormatError(
      `tensor '${proto.name}' has ${tensor.data.length} values but shape [${dims.join(', ')}] needs ${expected}`);
  }
  return tensor;
}

function fromTypedFields(proto: TensorProto, dataType: number): TensorData {
  const Ctor = ctorOf[dataType] ?? Uint8Array;
  switch (dataType) {
    case DataType.FLOAT: case DataType.COMPLEX64: return Float32Array.from(proto.floatData);
    case DataType.DOUBLE: case DataType.COMPLEX128: return Float64Array.from(proto.doubleData);
    case DataType.INT64: return BigInt64Array.from(proto.int64Data);
    case DataType.UINT32: return Uint32Array.from(proto.uint64Data, Number);
    case DataType.UINT64: return BigUint64Array.from(proto.uint64Data);
    default: {
      // int32_data carries int32, int16, int8, uint16, uint8, bool, float16 and bfloat16 bits.
      const out = new Ctor(proto.int32Data.length) as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
      proto.int32Data.forEach((v, i) => { out[i] = v; });
      return out;
    }
  }
}

/** Encodes a tensor with raw_data, keeping doc strings and metadata of the proto it was read from. */
export function encodeTensor(tensor: Tensor): TensorProto {
  const proto = create(TensorProtoSchema, {
    name: tensor.name,
    dataType: tensor.dataType,
    dims: tensor.dims.map(BigInt),
    metadataProps: tensor.proto?.metadataProps ?? [],
  });
  if (tensor.proto?.docString) proto.docString = tensor.proto.docString;
  if (Array.isArray(tensor.data)) {
    const enc = new TextEncoder();
    proto.stringData = tensor.data.map((s) => enc.encode(s));
  } else {
    proto.rawData = bytesOfTyped(tensor.data).slice();
  }
  return proto;
}

/** A float32/float64/int64 tensor from plain numbers, for graphs built in code. */
export function makeTensor(name: string, dataType: number, dims: number[],
  values: ArrayLike<number> | ArrayLike<bigint>): Tensor {
  const data = allocTensorData(dataType, elementCount(dims)) as Exclude<TensorData, string[]>;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) data[i] = BigInt(values[i] as number | bigint);
  } else {
    for (let i = 0; i < data.length; i++) data[i] = Number(values[i]);
  }
  return { name, dataType, dims, data };
}
