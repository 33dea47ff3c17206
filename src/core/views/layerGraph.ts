// Model IR -> the layer graph the webview draws: op nodes with their parameter tensors folded in,
// activation edges, Input/Output nodes and nested name-scope groups. Plain JSON out.
import type { LayerEdge, LayerGraphView, LayerGroup, LayerNode, ParameterInfo, TensorRef,
  ViewDim } from '../../shared/viewModel';
import { DataType, dataTypeName, defaultOpset, elementCount, type AttributeValue, type Dim, type Model, type Node,
  type Tensor } from '../onnx/ir';
import { displayName, exporterNames } from '../onnx/exporterNames';
import { isFloatType, isMaskable, type MaskableOptions } from '../masks/isMaskable';

/** Prefix of group ids, so that a scope never shares an id with an op node of the same name. */
export const GROUP_ID_PREFIX = 'scope:';

interface ParamSource {
  /** Root tensor: the initializer or Constant output the values come from. */
  root: string;
  tensor: Pick<Tensor, 'dataType' | 'dims'>;
  source: 'initializer' | 'constant';
}

export function buildLayerGraph(model: Model, shapes?: Map<string, Dim[]>,
  options: MaskableOptions = {}): LayerGraphView {
  const graph = model.graph;
  const params = foldableParameters(model);
  const names = exporterNames(model);

  // Declared element types and shapes, overridden by measured shapes when given.
  const elemTypes = new Map<string, number>();
  const declared = new Map<string, Dim[] | null>();
  for (const v of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) {
    if (v.elemType) elemTypes.set(v.name, v.elemType);
    if (v.shape) declared.set(v.name, v.shape);
  }
  for (const t of graph.initializers.values()) { elemTypes.set(t.name, t.dataType); declared.set(t.name, t.dims); }
  const shapeOf = (name: string): ViewDim[] | null => shapes?.get(name) ?? declared.get(name) ?? null;
  const ref = (name: string): TensorRef =>
    ({ name, shape: shapeOf(name), dataType: dataTypeName[elemTypes.get(name) ?? -1] ?? '' });

  const ids = new Set<string>();
  const uniqueId = (wanted: string): string => {
    let id = wanted;
    for (let k = 2; ids.has(id); k++) id = `${wanted}#${k}`;
    ids.add(id);
    return id;
  };

  const nodes: LayerNode[] = [];
  const producer = new Map<string, string>(); // activation tensor -> layer node id
  for (const input of graph.inputs) {
    const id = uniqueId(`input:${input.name}`);
    producer.set(input.name, id);
    nodes.push({ id, label: input.name, opType: 'Input', domain: '', attributes: {}, inputs: [],
      outputs: [ref(input.name)], parameters: [], parameterCount: 0 });
  }

  const kept = graph.nodes.filter((n) => !params.folded.has(n));
  const layerIds: string[] = [];
  for (const n of kept) {
    const id = uniqueId(n.name || n.opType);
    layerIds.push(id);
    for (const o of n.outputs) if (o) producer.set(o, id);
  }

  const edges: LayerEdge[] = [];
  const edgeIds = new Set<string>();
  const addEdge = (source: string, target: string, tensor: string) => {
    const id = `${tensor}:${source}->${target}`;
    if (edgeIds.has(id)) return;
    edgeIds.add(id);
    edges.push({ id, source, target, tensor, shape: shapeOf(tensor) });
  };

  const maskableTensors = new Map<string, number>();
  const members: { scopes: string[]; parameterCount: number }[] = [];
  kept.forEach((n, i) => {
    const id = layerIds[i]!;
    const parameters: ParameterInfo[] = [];
    const inputs: TensorRef[] = [];
    for (const name of n.inputs) {
      if (!name) continue;
      const p = params.sources.get(name);
      if (p) {
        if (parameters.some((q) => q.name === p.root)) continue;
        const maskable = p.source === 'initializer' && isMaskable(p.tensor, options) && !names.folded.has(p.root);
        const count = elementCount(p.tensor.dims);
        if (maskable) maskableTensors.set(p.root, count);
        const dataType = dataTypeName[p.tensor.dataType] ?? String(p.tensor.dataType);
        const shape = [...p.tensor.dims];
        const info: ParameterInfo = { name: p.root, shape, dataType, count, maskable, source: p.source };
        if (name !== p.root) info.alias = name;
        const shown = displayName(p.root, names);
        if (shown !== p.root) info.parameter = shown;
        const folded = names.folded.get(p.root);
        if (folded && isMaskable(p.tensor, options)) info.notMaskable = folded;
        parameters.push(info);
        continue;
      }
      inputs.push(ref(name));
      const from = producer.get(name);
      if (from) addEdge(from, id, name);
    }
    const modules = names.scopes.get(n);
    const node: LayerNode = {
      id,
      label: modules ? torchLabel(n, modules) : labelOf(n),
      opType: n.opType,
      domain: n.domain,
      attributes: attributeStrings(n),
      inputs,
      outputs: n.outputs.filter(Boolean).map(ref),
      parameters,
      parameterCount: parameters.reduce((s, p) => s + (isFloatType(dataTypeCode(p.dataType)) ? p.count : 0), 0),
    };
    const scopes = modules ?? scopesOf(n.name);
    if (scopes.length) {
      node.group = GROUP_ID_PREFIX + scopes.at(-1)!;
      members.push({ scopes, parameterCount: node.parameterCount });
    }
    const subgraphs = [...n.attributes.values()].reduce((s, a) =>
      s + (a.type === 'graph' ? 1 : a.type === 'graphs' ? a.value.length : 0), 0);
    if (subgraphs) node.subgraphs = subgraphs;
    nodes.push(node);
  });

  for (const output of graph.outputs) {
    const id = uniqueId(`output:${output.name}`);
    nodes.push({ id, label: output.name, opType: 'Output', domain: '', attributes: {}, inputs: [ref(output.name)],
      outputs: [], parameters: [], parameterCount: 0 });
    const from = producer.get(output.name);
    if (from) addEdge(from, id, output.name);
  }

  // Every float tensor that can feed an op counts once: initializers (used or not) and folded constants.
  let parameterCount = 0;
  for (const t of graph.initializers.values()) if (isFloatType(t.dataType)) parameterCount += elementCount(t.dims);
  for (const [name, p] of params.sources) {
    if (p.source === 'constant' && name === p.root && isFloatType(p.tensor.dataType)) {
      parameterCount += elementCount(p.tensor.dims);
    }
  }

  return {
    model: {
      name: graph.name,
      irVersion: model.irVersion,
      opset: defaultOpset(model),
      producer: model.producerName,
      parameterCount,
      maskableCount: maskableTensors.size,
      maskableParameterCount: [...maskableTensors.values()].reduce((a, b) => a + b, 0),
    },
    nodes,
    edges,
    groups: buildGroups(members),
  };
}

/**
 * Tensors that are parameters rather than activations: initializers, outputs of Constant nodes, and
 * outputs of Identity nodes reading either (chains included). Those Constant/Identity nodes are folded
 * away unless one of their outputs is a graph output (then they stay visible).
 */
function foldableParameters(model: Model): { sources: Map<string, ParamSource>; folded: Set<Node> } {
  const graph = model.graph;
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const sources = new Map<string, ParamSource>();
  for (const t of graph.initializers.values()) sources.set(t.name, { root: t.name, tensor: t, source: 'initializer' });
  const graphInputs = new Set(graph.inputs.map((i) => i.name));
  const folded = new Set<Node>();
  // Nodes are topologically sorted in valid ONNX, so one pass resolves chains.
  for (const n of graph.nodes) {
    if (n.domain !== '' || n.outputs.some((o) => graphOutputs.has(o))) continue;
    if (n.opType === 'Constant' && n.outputs.length === 1 && n.outputs[0]) {
      const t = constantTensor(n);
      if (!t) continue;
      sources.set(n.outputs[0], { root: n.outputs[0], tensor: t, source: 'constant' });
      folded.add(n);
    } else if (n.opType === 'Identity' && n.inputs[0] && !graphInputs.has(n.inputs[0]) && n.outputs[0]) {
      const p = sources.get(n.inputs[0]);
      if (!p) continue;
      sources.set(n.outputs[0], p);
      folded.add(n);
    }
  }
  return { sources, folded };
}

/** Data type and dims of a Constant node's value (any of its value_* attributes). */
function constantTensor(n: Node): Pick<Tensor, 'dataType' | 'dims'> | null {
  const a = n.attributes;
  const v = a.get('value');
  if (v?.type === 'tensor') return v.value;
  const pick = (name: string, dataType: number, list: boolean) => {
    const x = a.get(name);
    if (!x) return null;
    return { dataType, dims: list && Array.isArray(x.value) ? [x.value.length] : [] };
  };
  return pick('value_float', DataType.FLOAT, false) ?? pick('value_floats', DataType.FLOAT, true)
    ?? pick('value_int', DataType.INT64, false) ?? pick('value_ints', DataType.INT64, true)
    ?? pick('value_string', DataType.STRING, false) ?? pick('value_strings', DataType.STRING, true);
}

const dataTypeCodes = new Map(Object.entries(dataTypeName).map(([k, v]) => [v, Number(k)]));
function dataTypeCode(name: string): number {
  return dataTypeCodes.get(name) ?? 0;
}

/** `/encoder/layer.0/attn/MatMul` -> `MatMul`; a name without scopes is shown whole. */
function labelOf(n: Node): string {
  const parts = n.name.split('/').filter(Boolean);
  return parts.at(-1) ?? n.opType;
}

/** A PyTorch node: innermost module's last name and the FX node's name, e.g. `c_attn/addmm`. */
function torchLabel(n: Node, modules: string[]): string {
  const op = /'([^']*)'\]\s*$/.exec(n.metadata?.['pkg.torch.onnx.name_scopes'] ?? '')?.[1] || n.opType;
  const module = modules.at(-1)?.split('.').at(-1);
  return module ? `${module}/${op}` : op;
}

/** Scope prefixes of a node name, outermost first: `/a/b/Op` -> [`/a`, `/a/b`]. */
function scopesOf(name: string): string[] {
  if (!name.includes('/')) return [];
  const lead = name.startsWith('/') ? '/' : '';
  const parts = name.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(lead + parts.slice(0, i).join('/'));
  return out;
}

function buildGroups(members: { scopes: string[]; parameterCount: number }[]): LayerGroup[] {
  const groups = new Map<string, LayerGroup>();
  for (const m of members) {
    m.scopes.forEach((scope, i) => {
      const id = GROUP_ID_PREFIX + scope;
      let g = groups.get(id);
      if (!g) {
        // `/a/b` under `/a` is `b`; a module path `m.transformer.h.0` under `m.transformer` is `h.0`.
        const parent = i > 0 ? m.scopes[i - 1]! : undefined;
        const nested = parent !== undefined && scope.startsWith(`${parent}.`);
        const label = nested ? scope.slice(parent.length + 1) : scope.split('/').filter(Boolean).at(-1)!;
        g = { id, label, nodeCount: 0, parameterCount: 0 };
        if (parent !== undefined) g.parent = GROUP_ID_PREFIX + parent;
        groups.set(id, g);
      }
      g.nodeCount++;
      g.parameterCount += m.parameterCount;
    });
  }
  return [...groups.values()];
}

function attributeStrings(n: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, a] of n.attributes) out[name] = attributeString(a);
  return out;
}

function attributeString(a: AttributeValue): string {
  switch (a.type) {
    case 'float': case 'int': case 'string': return String(a.value);
    case 'floats': case 'ints': return `[${a.value.join(', ')}]`;
    case 'strings': return `[${a.value.map((s) => JSON.stringify(s)).join(', ')}]`;
    case 'tensor': return tensorSummary(a.value);
    case 'tensors': return `[${a.value.map(tensorSummary).join(', ')}]`;
    case 'graph': return `graph '${a.value.name}' (${a.value.node.length} nodes)`;
    case 'graphs': return `${a.value.length} graphs`;
    case 'other': return `attribute type ${a.value.type}`;
  }
}

function tensorSummary(t: Tensor): string {
  const type = dataTypeName[t.dataType] ?? String(t.dataType);
  const count = elementCount(t.dims);
  if (count <= 8 && !Array.isArray(t.data)) {
    const values = Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
    return `${type}[${t.dims.join(', ')}] ${JSON.stringify(values)}`;
  }
  return `${type}[${t.dims.join(', ')}]`;
}
