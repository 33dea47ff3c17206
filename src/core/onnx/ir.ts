// Format-independent graph IR. The engine works on these plain objects; `proto` fields keep the
// decoded protobuf message so that writing back preserves fields the IR does not model.
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto,
  ValueInfoProto } from 'onnx-buf';

/** ONNX TensorProto.DataType values used by the engine. */
export const DataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;

export const dataTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | string[];

/** Where an initializer's bytes live when they are not inside the model file. */
export interface ExternalLocation {
  location: string;
  offset: number;
  length: number;
}

export interface Tensor {
  name: string;
  dataType: number;
  dims: number[];
  /** Element data, always a fresh copy (never a view into the file buffer). FLOAT16/BFLOAT16 as raw bits. */
  data: TensorData;
  external?: ExternalLocation;
  /** The tensor's `metadata_props` (exporter annotations), when it has any. */
  metadata?: Metadata;
  proto?: TensorProto;
}

/** `metadata_props` key → value (e.g. PyTorch's `pkg.torch.onnx.name_scopes`). */
export type Metadata = Record<string, string>;

/** A dimension: a number when fixed, a string for a named (symbolic) dimension, null when unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  /** Element type of a tensor value; 0 for non-tensor types (sequences, maps, optionals). */
  elemType: number;
  /** null when the rank is unknown. */
  shape: Dim[] | null;
  metadata?: Metadata;
  proto?: ValueInfoProto;
}

export type AttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: GraphProto }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: GraphProto[] }
  | { type: 'other'; value: AttributeProto };

export interface Node {
  name: string;
  opType: string;
  /** '' is the default ONNX domain (also written 'ai.onnx'). */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeValue>;
  metadata?: Metadata;
  proto?: NodeProto;
}

export interface Graph {
  name: string;
  nodes: Node[];
  /** Graph inputs that are not initializers. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  initializers: Map<string, Tensor>;
  proto?: GraphProto;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  graph: Graph;
  proto?: ModelProto;
  /** What reading the file changed so the engine can train the model (absent for models built in code). */
  loadChanges?: LoadChanges;
}

/** Changes made on load: weights held in Constant nodes, and an old opset raised to the one training needs. */
export interface LoadChanges {
  /** Constant outputs that became initializers. */
  hoistedConstants: string[];
  /** The file's default-domain opset raised to `to`, with the rewrites by kind (e.g. `Clip min/max`). */
  opsetUpgrade?: { from: number; to: number; changes: { change: string; count: number }[] };
  /** Why the opset could not be raised; the model then keeps its own opset (and cannot be trained). */
  opsetUpgradeError?: string;
}

export type { TypeProto };

/** Opset version of the default ONNX domain. */
export function defaultOpset(model: Model): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

// Attribute accessors with defaults, used by shape code and gradient rules.
export function attrInt(node: Node, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  return a && a.type === 'int' ? a.value : fallback;
}
export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  return a && a.type === 'float' ? a.value : fallback;
}
export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attributes.get(name);
  return a && a.type === 'ints' ? a.value : undefined;
}
export function attrString(node: Node, name: string, fallback: string): string {
  const a = node.attributes.get(name);
  return a && a.type === 'string' ? a.value : fallback;
}
