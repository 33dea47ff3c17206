// Model IR -> ModelProto bytes. Fields the IR does not model (doc strings, metadata_props,
// NodeProto.overload, functions, training info, …) are carried over from the proto it was read from.
import { clone, create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema, TensorShapeProto_DimensionSchema, TensorShapeProtoSchema, TypeProto_TensorSchema,
  TypeProtoSchema, ValueInfoProtoSchema, type AttributeProto, type GraphProto, type ModelProto, type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import * as path from 'node:path';
import type { AttributeValue, Graph, Model, Node, Tensor, ValueInfo } from './ir';
import { bytesOfTyped, encodeTensor } from './tensorCodec';
import { writeFileAtomic } from '../util/writeFileAtomic';

export interface EncodeOptions {
  /** Store initializers of at least `threshold` bytes (default 1024) in one side file named `location`. */
  externalData?: { location: string; threshold?: number };
}

export interface EncodedModel {
  model: Uint8Array;
  /** Contents of the external-data side file, when requested. */
  external?: Uint8Array;
}

export function encodeModel(model: Model, options: EncodeOptions = {}): EncodedModel {
  const side = options.externalData
    ? new SideFile(options.externalData.location, options.externalData.threshold ?? 1024) : undefined;
  const proto: ModelProto = model.proto ? clone(ModelProtoSchema, model.proto)
    : create(ModelProtoSchema, { producerName: model.producerName });
  proto.irVersion = BigInt(model.irVersion);
  const sameOpsets = proto.opsetImport.length === model.opsetImports.length
    && proto.opsetImport.every((o, i) =>
      o.domain === model.opsetImports[i]!.domain && Number(o.version) === model.opsetImports[i]!.version);
  if (!sameOpsets) {
    proto.opsetImport = model.opsetImports.map((o) =>
      create(OperatorSetIdProtoSchema, { domain: o.domain, version: BigInt(o.version) }));
  }
  proto.graph = encodeGraph(model.graph, side);
  const out: EncodedModel = { model: toBinary(ModelProtoSchema, proto) };
  if (side) out.external = side.bytes();
  return out;
}

/** Writes the model (and its side file, if any) atomically. */
export function writeModel(file: string, model: Model, options: EncodeOptions = {}): void {
  const encoded = encodeModel(model, options);
  if (encoded.external && options.externalData) {
    writeFileAtomic(path.join(path.dirname(file), options.externalData.location), encoded.external);
  }
  writeFileAtomic(file, encoded.model);
}

export function encodeGraph(graph: Graph, side?: SideFile): GraphProto {
  const g: GraphProto = graph.proto ? clone(GraphProtoSchema, graph.proto) : create(GraphProtoSchema, {});
  // proto2 fields track presence: assign only what changed so unset fields stay unset.
  if (g.name !== graph.name) g.name = graph.name;
  g.node = graph.nodes.map(encodeNode);
  g.initializer = [...graph.initializers.values()].map((t) => (side ? side.place(t) : encodeTensor(t)));
  // Keep initializers that the source also listed as graph inputs (IR < 4 style), in their order.
  const initializerInputs = (graph.proto?.input ?? []).filter((v) => graph.initializers.has(v.name));
  g.input = [...graph.inputs.map(encodeValueInfo), ...initializerInputs];
  g.output = graph.outputs.map(encodeValueInfo);
  g.valueInfo = graph.valueInfo.map(encodeValueInfo);
  return g;
}

function encodeNode(node: Node, index: number): ReturnType<typeof create<typeof NodeProtoSchema>> {
  const n = node.proto ? clone(NodeProtoSchema, node.proto) : create(NodeProtoSchema, {});
  // readModel names unnamed nodes `<op>_<index>`; an unchanged generated name stays unwritten.
  const generated = node.proto !== undefined && node.proto.name === '' && node.name === `${node.opType}_${index}`;
  if (n.name !== node.name && !generated) n.name = node.name;
  if (n.opType !== node.opType) n.opType = node.opType;
  if (n.domain !== node.domain && !(node.domain === '' && n.domain === 'ai.onnx')) n.domain = node.domain;
  n.input = [...node.inputs];
  n.output = [...node.outputs];
  n.attribute = [...node.attributes].map(([name, a]) =>
    encodeAttribute(name, a, node.proto?.attribute.find((x) => x.name === name)));
  return n;
}

function encodeAttribute(name: string, a: AttributeValue, source: AttributeProto | undefined): AttributeProto {
  if (a.type === 'other') return a.value;
  const enc = new TextEncoder();
  const base: { name: string; docString?: string; refAttrName?: string } = { name };
  if (source?.docString) base.docString = source.docString;
  if (source?.refAttrName) base.refAttrName = source.refAttrName;
  switch (a.type) {
    case 'float': return create(AttributeProtoSchema, { ...base, type: 1, f: a.value });
    case 'int': return create(AttributeProtoSchema, { ...base, type: 2, i: BigInt(a.value) });
    case 'string': return create(AttributeProtoSchema, { ...base, type: 3, s: enc.encode(a.value) });
    case 'tensor': return create(AttributeProtoSchema, { ...base, type: 4, t: encodeTensor(a.value) });
    case 'graph': return create(AttributeProtoSchema, { ...base, type: 5, g: a.value });
    case 'floats': return create(AttributeProtoSchema, { ...base, type: 6, floats: a.value });
    case 'ints': return create(AttributeProtoSchema, { ...base, type: 7, ints: a.value.map(BigInt) });
    case 'strings': return create(AttributeProtoSchema,
      { ...base, type: 8, strings: a.value.map((s) => enc.encode(s)) });
    case 'tensors': return create(AttributeProtoSchema, { ...base, type: 9, tensors: a.value.map(encodeTensor) });
    case 'graphs': return create(AttributeProtoSchema, { ...base, type: 10, graphs: a.value });
  }
}

export function encodeValueInfo(v: ValueInfo): ValueInfoProto {
  if (v.proto) {
    const p = clone(ValueInfoProtoSchema, v.proto);
    p.name = v.name;
    return p;
  }
  const shape = v.shape === null ? undefined : create(TensorShapeProtoSchema, {
    dim: v.shape.map((d) => create(TensorShapeProto_DimensionSchema, {
      value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) }
        : typeof d === 'string' ? { case: 'dimParam', value: d }
        : { case: undefined },
    })),
  });
  return create(ValueInfoProtoSchema, {
    name: v.name,
    type: create(TypeProtoSchema,
      { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: v.elemType, shape }) } }),
  });
}

/** Accumulates large initializers into one external-data file with aligned offsets. */
class SideFile {
  private chunks: Uint8Array[] = [];
  private size = 0;
  constructor(readonly location: string, readonly threshold: number) {}

  place(t: Tensor): TensorProto {
    const proto = encodeTensor(t);
    if (Array.isArray(t.data) || t.data.byteLength < this.threshold) return proto;
    const pad = (4096 - (this.size % 4096)) % 4096;
    if (pad) this.push(new Uint8Array(pad));
    const offset = this.size;
    this.push(bytesOfTyped(t.data));
    proto.rawData = new Uint8Array(0);
    proto.dataLocation = 1;
    proto.externalData = [
      ['location', this.location], ['offset', String(offset)], ['length', String(t.data.byteLength)],
    ].map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
    return proto;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }

  private push(c: Uint8Array): void {
    this.chunks.push(c.slice());
    this.size += c.length;
  }
}

