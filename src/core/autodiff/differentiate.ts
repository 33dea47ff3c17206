// Reverse-mode autodiff over the graph IR: appends, after the forward nodes, the backward nodes that
// compute d loss / d wrt for each requested tensor, using the per-op rules of registry.ts.
// Only nodes on a path from a `wrt` tensor to the loss are differentiated; gradients of tensors with
// several consumers are summed; `broadcasts` rules get their input gradients summed back to shape.
import type { Dim, Graph, Node, Tensor } from '../onnx/ir';
import { DataType } from '../onnx/ir';
import { makeNode, type AttrInput } from '../onnx/makeModel';
import { makeTensor } from '../onnx/tensorCodec';
import { AutodiffError, UnsupportedOpError, type UnsupportedNode } from './errors';
import { findGradientRule, gradientRules, isNonDifferentiable, supportedGradientOps } from './registry';
import { sumToShape } from './rules/helpers';
import type { GradContext, RuleEntry } from './types';

export interface DifferentiateOptions {
  /** The tensor to differentiate (normally a scalar; otherwise its gradient seed is all ones). */
  loss: string;
  /** Tensors to differentiate with respect to (graph inputs, initializers or intermediate tensors). */
  wrt: string[];
  /** Static shapes of forward tensors (from inferShapes); missing entries are treated as unknown. */
  shapes: Map<string, Dim[]>;
  /** Float element type of the graph: DataType.FLOAT or DataType.DOUBLE. */
  floatType: number;
  /** Default-domain opset of the graph. */
  opset: number;
  /** Replaces or adds rules (keys as in registry.ts); for tests and experiments. */
  rules?: Record<string, RuleEntry>;
  /** Prefix of generated node and tensor names (default 'grad'). */
  prefix?: string;
}

export interface DifferentiateResult {
  /** A new graph: the forward nodes, then the backward nodes. Inputs and outputs are unchanged. */
  graph: Graph;
  /** wrt tensor name → name of its gradient tensor (distinct per wrt; zeros when the loss does not depend on it). */
  gradients: Map<string, string>;
}

export function differentiate(graph: Graph, options: DifferentiateOptions): DifferentiateResult {
  const { loss, wrt, shapes, floatType, opset } = options;
  const rules = options.rules ? { ...gradientRules, ...options.rules } : gradientRules;
  const prefix = options.prefix ?? 'grad';

  const known = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  for (const n of graph.nodes) n.outputs.forEach((o) => o && known.add(o));
  if (!known.has(loss)) throw new AutodiffError(`loss tensor '${loss}' is not in the graph`, undefined, loss);
  for (const w of wrt) if (!known.has(w))
    throw new AutodiffError(`tensor '${w}' to differentiate with respect to is not in the graph`, undefined, w);

  // Tensors that depend on a wrt tensor through differentiable ops, and tensors the loss depends on.
  const fromWrt = new Set(wrt);
  for (const n of graph.nodes) {
    if (isNonDifferentiable(n.opType, n.domain)) continue;
    if (n.inputs.some((i) => i && fromWrt.has(i))) n.outputs.forEach((o) => o && fromWrt.add(o));
  }
  const toLoss = new Set([loss]);
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const n = graph.nodes[k]!;
    if (n.outputs.some((o) => toLoss.has(o))) n.inputs.forEach((i) => i && toLoss.add(i));
  }
  const onPath = (t: string) => fromWrt.has(t) && toLoss.has(t);

  const emitter = new Emitter(graph, prefix, floatType, opset, shapes);
  const ctx = emitter.context;
  const contributions = new Map<string, string[]>();
  const addGrad = (t: string, g: string) => contributions.set(t, [...(contributions.get(t) ?? []), g]);
  const gradOf = (t: string): string | null => {
    const list = contributions.get(t);
    if (!list || list.length === 0) return null;
    if (list.length > 1) contributions.set(t, [sumOf(emitter, list)]);
    return contributions.get(t)![0]!;
  };

  if (onPath(loss) || wrt.includes(loss)) {
    const ls = shapes.get(loss);
    addGrad(loss,
      ls && ls.length === 0 ? ctx.constant([1]) : ctx.emit1('Expand', [ctx.constant([1]), ctx.emit1('Shape', [loss])]));
  }

  // After a node without a rule, upstream nodes are still visited (no rule is run for them) so that
  // one error names every unsupported node on the paths.
  const unsupported: UnsupportedNode[] = [];
  const blocked = new Set<string>();
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const node = graph.nodes[k]!;
    if (!node.outputs.some((o) => o && onPath(o))) continue;
    const isBlocked = node.outputs.some((o) => blocked.has(o));
    const dOutputs = node.outputs.map((o) => (o && onPath(o) ? gradOf(o) : null));
    if (!isBlocked && dOutputs.every((d) => d === null)) continue;
    const entry = findGradientRule(node.opType, node.domain, opset, rules);
    if (!entry) unsupported.push({ op: node.opType, domain: node.domain, node: node.name });
    if (!entry || isBlocked || unsupported.length > 0) {
      node.inputs.forEach((i) => i && fromWrt.has(i) && blocked.add(i));
      continue;
    }
    emitter.current = node.name;
    const grads = entry.rule(node, dOutputs, ctx);
    if (!Array.isArray(grads) || grads.length !== node.inputs.length) {
      throw new AutodiffError(
        `gradient rule for '${node.opType}' returned ${Array.isArray(grads) ? grads.length : 'no'} results for node ` +
        `'${node.name}', which has ${node.inputs.length} inputs`, node.name);
    }
    grads.forEach((g, i) => {
      const input = node.inputs[i]!;
      if (g === null || !input || !fromWrt.has(input)) return;
      addGrad(input, entry.broadcasts ? reduceBroadcast(ctx, node, g, input) : g);
    });
  }
  if (unsupported.length > 0) throw new UnsupportedOpError(unsupported, opset, supportedGradientOps());

  emitter.current = 'gradients';
  const gradients = new Map<string, string>();
  const used = new Set<string>();
  for (const w of wrt) {
    let g = gradOf(w) ?? ctx.emit1('Expand', [ctx.constant([0]), ctx.emit1('Shape', [w])]);
    if (used.has(g) || !emitter.isEmitted(g)) g = ctx.emit1('Identity', [g]);
    used.add(g);
    gradients.set(w, g);
  }
  return { graph: emitter.finish([...gradients.values()]), gradients };
}

/**
 * The sum of one tensor's gradient contributions. Of two, one an Expand of a smaller tensor (a reduction's
 * gradient, e.g. a sparsity penalty's constant λ), the other full-size: Add broadcasts the small one, the
 * same sums without writing the expanded copy (one pass less over a mask's every logit).
 */
function sumOf(emitter: Emitter, list: string[]): string {
  const expanded = list.map((g) => emitter.producer(g)).map((n) => (n?.opType === 'Expand' ? n.inputs[0]! : null));
  if (list.length === 2 && (expanded[0] === null) !== (expanded[1] === null)) {
    return emitter.context.emit1('Add', expanded[0] === null ? [list[0]!, expanded[1]!] : [expanded[0], list[1]!]);
  }
  return emitter.context.emit1('Sum', list);
}

/** Sums the gradient of a broadcasting op's input (shaped like output 0) back to the input's shape. */
function reduceBroadcast(ctx: GradContext, node: Node, g: string, input: string): string {
  const out = node.outputs[0]!;
  const gShape = ctx.shape(out) ?? new Array<Dim>(ctx.rank(out)).fill(null);
  const inShape = ctx.shape(input) ?? new Array<Dim>(ctx.rank(input)).fill(null);
  return sumToShape(ctx, g, gShape, inShape, input);
}

/** Collects backward nodes and constants with fresh names; drops what no gradient uses. */
class Emitter {
  current = '';
  private readonly nodes: Node[] = [];
  private readonly producers = new Map<string, Node>();
  private readonly constants = new Map<string, Tensor>();
  private readonly constantCache = new Map<string, string>();
  private readonly taken = new Set<string>();
  private counter = 0;
  readonly context: GradContext;

  constructor(private readonly graph: Graph, private readonly prefix: string, floatType: number, opset: number,
    shapes: Map<string, Dim[]>) {
    for (const n of graph.nodes) { this.taken.add(n.name); n.outputs.forEach((o) => this.taken.add(o)); }
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) this.taken.add(v.name);
    for (const k of graph.initializers.keys()) this.taken.add(k);
    const constantNodes = new Map<string, Tensor>();
    for (const n of graph.nodes) {
      const v = n.opType === 'Constant' ? n.attributes.get('value') : undefined;
      if (v?.type === 'tensor') constantNodes.set(n.outputs[0]!, v.value);
    }
    const emit = (op: string, inputs: string[], attrs?: Record<string, AttrInput>, outputCount = 1): string[] => {
      const outputs = Array.from({ length: outputCount }, () => this.fresh(op));
      const node = makeNode({ op, inputs, outputs, attrs, name: this.fresh(`${this.current}/${op}`) }, 0);
      this.nodes.push(node);
      for (const o of outputs) this.producers.set(o, node);
      return outputs;
    };
    const constant = (dataType: number, values: number[], dims: number[]): string => {
      const key = `${dataType}|${dims.join(',')}|${values.join(',')}`;
      const hit = this.constantCache.get(key);
      if (hit) return hit;
      const name = this.fresh(dataType === DataType.INT64 ? 'i64' : 'const');
      this.constants.set(name,
        makeTensor(name, dataType, dims, dataType === DataType.INT64 ? values.map(BigInt) : values));
      this.constantCache.set(key, name);
      return name;
    };
    this.context = {
      emit,
      emit1: (op, inputs, attrs) => emit(op, inputs, attrs, 1)[0]!,
      constant: (values, dims) => constant(floatType, values, dims ?? (values.length === 1 ? [] : [values.length])),
      int64: (values, dims) => constant(DataType.INT64, values, dims ?? [values.length]),
      shape: (name) => shapes.get(name) ?? null,
      rank: (name) => {
        const s = shapes.get(name);
        if (!s) throw new AutodiffError(`the rank of tensor '${name}' is unknown (node '${this.current}'); run shape ` +
          `inference first`, this.current, name);
        return s.length;
      },
      constantValue: (name) => {
        const t = graph.initializers.get(name) ?? constantNodes.get(name);
        return t ? Array.from(t.data as ArrayLike<number | bigint | string>, (v) => Number(v)) : null;
      },
      floatType,
      opset,
    };
  }

  private fresh(hint: string): string {
    let name: string;
    do name = `${this.prefix}/${hint}_${this.counter++}`; while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }

  isEmitted(name: string): boolean {
    return this.producers.has(name);
  }

  /** The backward node that computes `name`, if one was emitted. */
  producer(name: string): Node | undefined {
    return this.producers.get(name);
  }

  /** The forward graph plus the backward nodes (and constants) that the named results depend on. */
  finish(results: string[]): Graph {
    const needed = new Set(results);
    const kept: Node[] = [];
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const n = this.nodes[k]!;
      if (!n.outputs.some((o) => needed.has(o))) continue;
      kept.push(n);
      n.inputs.forEach((i) => i && needed.add(i));
    }
    kept.reverse();
    const initializers = new Map(this.graph.initializers);
    for (const [name, t] of this.constants) if (needed.has(name)) initializers.set(name, t);
    return { ...this.graph, nodes: [...this.graph.nodes, ...kept], initializers };
  }
}
