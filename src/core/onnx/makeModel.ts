// Builds Model IR from a compact description: used by generated graphs (training, export, benchmarks) and tests.
import type { AttributeValue, Dim, Graph, Model, Node, Tensor, ValueInfo } from './ir';
import { DataType } from './ir';

/** Plain attribute values: integers become INT, other numbers FLOAT; wrap with `floatAttr` to force FLOAT. */
export type AttrInput = number | number[] | string | string[] | AttributeValue;

export const floatAttr = (value: number): AttributeValue => ({ type: 'float', value });

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, AttrInput>;
}

export interface ValueSpec {
  name: string;
  elemType?: number;
  shape?: Dim[] | null;
}

export interface ModelSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: Tensor[];
  opset?: number;
  irVersion?: number;
  name?: string;
  extraOpsets?: { domain: string; version: number }[];
}

export function toAttribute(v: AttrInput): AttributeValue {
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: v as string[] };
    const nums = v as number[];
    return nums.every(Number.isInteger) ? { type: 'ints', value: nums } : { type: 'floats', value: nums };
  }
  return v;
}

export function makeNode(spec: NodeSpec, index: number): Node {
  return {
    name: spec.name ?? `${spec.op}_${index}`,
    opType: spec.op,
    domain: spec.domain ?? '',
    inputs: spec.inputs,
    outputs: spec.outputs,
    attributes: new Map(Object.entries(spec.attrs ?? {}).map(([k, v]) => [k, toAttribute(v)])),
  };
}

export function makeValueInfo(v: ValueSpec): ValueInfo {
  return { name: v.name, elemType: v.elemType ?? DataType.FLOAT, shape: v.shape === undefined ? null : v.shape };
}

export function makeGraph(spec: ModelSpec): Graph {
  return {
    name: spec.name ?? 'graph',
    nodes: spec.nodes.map(makeNode),
    inputs: spec.inputs.map(makeValueInfo),
    outputs: spec.outputs.map(makeValueInfo),
    valueInfo: [],
    initializers: new Map((spec.initializers ?? []).map((t) => [t.name, t])),
  };
}

export function makeModel(spec: ModelSpec): Model {
  return {
    irVersion: spec.irVersion ?? 9,
    opsetImports: [{ domain: '', version: spec.opset ?? 18 }, ...(spec.extraOpsets ?? [])],
    producerName: 'subnetwork-lens',
    graph: makeGraph(spec),
  };
}
