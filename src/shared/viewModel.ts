// What the webview draws. Made by the engine (src/core), sent by the host, rendered by webview/.
// Plain JSON: no ONNX objects, no typed arrays.

export type ViewDim = number | string | null;

/** A parameter tensor folded into the op node that consumes it. */
export interface ParameterInfo {
  name: string;
  shape: number[];
  dataType: string;
  count: number;
  /** Float and rank >= 2 by default: eligible for masking. */
  maskable: boolean;
  /** Where the values live: a graph initializer or a Constant node folded into this op. */
  source?: 'initializer' | 'constant';
  /** Name the op reads it under when that differs from `name` (an Identity chain in between). */
  alias?: string;
}

export interface TensorRef {
  name: string;
  shape: ViewDim[] | null;
  dataType: string;
}

export interface LayerNode {
  /** Unique: the ONNX node name (made unique when the file repeats or omits names). */
  id: string;
  /** Short display label: last segment of the node name, or the op type. */
  label: string;
  opType: string;
  domain: string;
  /** Innermost name-scope group, if the node name has `/`-separated scopes. */
  group?: string;
  attributes: Record<string, string>;
  inputs: TensorRef[];
  outputs: TensorRef[];
  parameters: ParameterInfo[];
  /** Elements of the float parameters folded into this node (shared tensors count in every consumer). */
  parameterCount: number;
  /** Number of subgraph attributes (If/Loop/Scan bodies); absent when none. */
  subgraphs?: number;
}

/** An activation tensor flowing from one op node to another (or from a graph input / to a graph output). */
export interface LayerEdge {
  id: string;
  source: string;
  target: string;
  tensor: string;
  shape: ViewDim[] | null;
}

/** A name scope, e.g. `/encoder/layer.0/attention`; nested via `parent`. */
export interface LayerGroup {
  id: string;
  label: string;
  parent?: string;
  nodeCount: number;
  parameterCount: number;
}

export interface LayerGraphView {
  model: {
    name: string;
    irVersion: number;
    opset: number;
    producer: string;
    /** Elements of all float parameter tensors (each tensor counted once). */
    parameterCount: number;
    /** Number of maskable tensors. */
    maskableCount: number;
    /** Elements of the maskable tensors. */
    maskableParameterCount?: number;
  };
  /** Graph inputs and outputs appear as nodes with opType 'Input' / 'Output'. */
  nodes: LayerNode[];
  edges: LayerEdge[];
  groups: LayerGroup[];
}
