// Shapes of a model's tensors read from the file alone, never by running it: safe on untrusted models
// and bounded in time (one pass over the nodes). Graph inputs and initializers give the start; each node
// output gets ONNX's shape rule for its op (staticShapeRules.ts), with small constant tensors (Shape
// results, axes, Reshape targets, pads) folded along the way, and its declared shape (value_info or
// graph output) fills what the rule leaves unknown; where both know a dim, the rule wins, since a file's
// declarations may be stale or false. What neither covers stays unknown: a dim as null, a tensor of
// unknown rank left out of the map. Subgraphs are not entered.
import { foldSmallValue, smallTensorValue, type SmallValue } from './foldSmallValues';
import { defaultOpset, type Dim, type Model, type Node } from './ir';
import { sortTopologically } from './sortTopologically';
import { staticShapeRules, type Shape } from './staticShapeRules';

/**
 * Shape of every graph input, initializer and main-graph node output whose rank is known. `known` shapes
 * (e.g. measured for the part of the graph a model had before nodes were appended) are taken as they are.
 */
export function inferShapesStatically(model: Model, known?: ReadonlyMap<string, Dim[]>): Map<string, Dim[]> {
  const graph = model.graph;
  const opset = defaultOpset(model);
  const shapes = new Map<string, Shape>();
  const values = new Map<string, SmallValue>();
  const declared = new Map<string, Shape>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) if (v.shape) declared.set(v.name, v.shape.map(cleanDim));

  for (const input of graph.inputs) if (input.shape) shapes.set(input.name, input.shape.map(cleanDim));
  for (const [name, shape] of known ?? []) shapes.set(name, [...shape]);
  for (const t of graph.initializers.values()) {
    shapes.set(t.name, [...t.dims]);
    const value = smallTensorValue(t);
    if (value) values.set(t.name, value);
  }

  for (const node of nodesInOrder(model)) {
    const inputShape = (i: number) => (node.inputs[i] ? shapes.get(node.inputs[i]!) : undefined);
    const inputValue = (i: number) => (node.inputs[i] ? values.get(node.inputs[i]!) : undefined);
    const ruled = applyRule(node, opset, inputShape, inputValue);
    node.outputs.forEach((name, i) => {
      if (!name || shapes.has(name)) return;
      const shape = merge(ruled[i], declared.get(name));
      if (shape) shapes.set(name, shape);
    });
    const folded = safely(() => foldSmallValue({ node, value: inputValue, shape: inputShape }));
    if (folded && node.outputs[0]) values.set(node.outputs[0], folded);
  }
  return shapes;
}

function nodesInOrder(model: Model): Node[] {
  try {
    return sortTopologically(model.graph);
  } catch {
    // A cycle: the file order is as good as any, unknown inputs just give unknown outputs.
    return model.graph.nodes;
  }
}

function applyRule(
  node: Node, opset: number, shape: (i: number) => Shape | undefined, value: (i: number) => SmallValue | undefined,
): (Shape | undefined)[] {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return [];
  const rule = Object.hasOwn(staticShapeRules, node.opType) ? staticShapeRules[node.opType] : undefined;
  const has = (i: number) => Boolean(node.inputs[i]);
  return (rule && safely(() => rule({ node, opset, shape, value, has }))) || [];
}

/** Rules throw on malformed attributes (axis out of range…): that output is unknown, nothing crashes. */
function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** A dim as the map carries it: a non-negative integer, a non-empty symbol, or null. */
function cleanDim(d: unknown): Dim {
  if (typeof d === 'number') return Number.isInteger(d) && d >= 0 ? d : null;
  return typeof d === 'string' && d !== '' ? d : null;
}

/** The rule's dims where known, the declared ones where the rule has none; a rule's rank wins. */
function merge(ruled: Shape | undefined, declared: Shape | undefined): Shape | undefined {
  if (!Array.isArray(ruled)) return declared;
  const clean = ruled.map(cleanDim);
  if (!declared || declared.length !== clean.length) return clean;
  return clean.map((d, i) => d ?? declared[i]!);
}
