// Names a user knows, from the metadata PyTorch's dynamo exporter writes: every node's module path
// (`pkg.torch.onnx.name_scopes`), which initializers are parameters (`…graph_signature.InputSpec.kind`), and
// for a renamed one (`val_56`, often transposed for MatMul) the parameter it came from, read from the
// `%p_<module>_<name>` argument of the consuming node's FX call (`pkg.torch.onnx.fx_node`). Initializers
// that are neither were computed by the exporter (constant folding) and are not parameters.
import { attrInt, type Model, type Node, type Tensor } from './ir';

export interface ParameterOrigin {
  /** The PyTorch parameter, e.g. `m.score.weight`. */
  parameter: string;
  /** The initializer holds the parameter transposed (a `Linear` weight exported for MatMul). */
  transposed: boolean;
}

export interface ExporterNames {
  /** Initializer name → the parameter it holds. */
  parameters: Map<string, ParameterOrigin>;
  /** Initializers of rank ≥ 2 that hold no parameter → why they are not offered as weights. */
  folded: Map<string, string>;
  /** Node of graph.nodes → its module path, outermost first, e.g. [`m`, `m.transformer`, …]. */
  scopes: Map<Node, string[]>;
}

const NAME_SCOPES = 'pkg.torch.onnx.name_scopes';
const FX_NODE = 'pkg.torch.onnx.fx_node';
const INPUT_KIND = 'pkg.torch.export.graph_signature.InputSpec.kind';

export function exporterNames(model: Model): ExporterNames {
  const g = model.graph;
  const scopes = new Map<Node, string[]>();
  for (const n of g.nodes) {
    const s = n.metadata?.[NAME_SCOPES];
    if (s !== undefined) scopes.set(n, moduleScopes(s));
  }
  const parameters = new Map<string, ParameterOrigin>();
  const folded = new Map<string, string>();
  // Without PyTorch's metadata nothing is known: every initializer keeps its own name.
  if (scopes.size === 0) return { parameters, folded, scopes };

  const kinds = new Map<string, string>();
  for (const v of [...g.inputs, ...g.valueInfo]) {
    const kind = v.metadata?.[INPUT_KIND];
    if (kind) kinds.set(v.name, kind);
  }
  const consumers = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const batch = fixedLeadingDim(model);

  for (const t of g.initializers.values()) {
    if (kinds.get(t.name) === 'PARAMETER') {
      parameters.set(t.name, { parameter: t.name, transposed: false });
      continue;
    }
    const origin = originFromConsumers(t, consumers.get(t.name) ?? [], scopes);
    if (origin) parameters.set(t.name, origin);
    else if (t.dims.length >= 2) folded.set(t.name, foldedReason(t, batch));
  }
  return { parameters, folded, scopes };
}

/** `['', 'm', 'm.transformer', 'addmm']` → `['m', 'm.transformer']`: the modules, without the op's own name. */
function moduleScopes(text: string): string[] {
  const names = [...text.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  return names.slice(0, -1).filter(Boolean);
}

/**
 * The parameter a renamed initializer holds: a consumer's FX call names it `%p_<module path with _>_<attr>`
 * (lower-cased by the exporter); the consumer's innermost module scope gives the dots back.
 */
function originFromConsumers(t: Tensor, consumers: Node[], scopes: Map<Node, string[]>): ParameterOrigin | undefined {
  for (const n of consumers) {
    const module = scopes.get(n)?.at(-1);
    const fx = n.metadata?.[FX_NODE];
    if (!module || !fx) continue;
    const prefix = `p_${module.replace(/\./g, '_')}_`.toLowerCase();
    const attrs = [...fx.matchAll(/%(p_[A-Za-z0-9_]+)/g)].map((m) => m[1]!)
      .filter((p) => p.toLowerCase().startsWith(prefix)).map((p) => p.slice(prefix.length));
    // A matrix is the module's weight when the call also reads its bias.
    const attr = attrs.length === 1 ? attrs[0] : attrs.find((a) => a === 'weight');
    if (!attr) continue;
    const linear = /aten\.linear\b/.test(fx);
    const readsTransposed = n.opType === 'MatMul' || (n.opType === 'Gemm' && attrInt(n, 'transB', 0) === 0);
    const transposed = linear && t.dims.length === 2 && readsTransposed;
    return { parameter: `${module}.${attr}`, transposed };
  }
  return undefined;
}

function foldedReason(t: Tensor, batch: number | undefined): string {
  const batched = batch !== undefined && t.dims[0] === batch && t.dims.length >= 3;
  const lead = batched ? ` (its leading dimension ${batch} is the fixed batch)` : '';
  return `computed by the exporter from weights or constants${lead}, not a PyTorch parameter`;
}

function fixedLeadingDim(model: Model): number | undefined {
  const lead = model.graph.inputs.map((i) => i.shape?.[0]).find((d) => typeof d === 'number');
  return typeof lead === 'number' ? lead : undefined;
}

/** Initializer → how a user knows it, for those of `tensors` an exporter renamed or transposed. */
export function renamedParameters(model: Model, tensors: string[]): Record<string, string> {
  const names = exporterNames(model);
  const shown = tensors.map((n) => [n, displayName(n, names)] as const);
  return Object.fromEntries(shown.filter(([n, name]) => n !== name));
}

/** How a user knows an initializer: `m.score.weight (transposed, stored as val_307)`, or its own name. */
export function displayName(initializer: string, names: ExporterNames): string {
  const o = names.parameters.get(initializer);
  if (!o || (o.parameter === initializer && !o.transposed)) return initializer;
  const notes = [];
  if (o.transposed) notes.push('transposed');
  if (o.parameter !== initializer) notes.push(`stored as ${initializer}`);
  return `${o.parameter} (${notes.join(', ')})`;
}
