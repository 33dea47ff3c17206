import type { Graph, Node } from './ir';
import { OnnxFormatError } from './errors';

/** Orders nodes so every node comes after the producers of its inputs (stable for already-sorted graphs). */
export function sortTopologically(graph: Graph): Node[] {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const state = new Map<Node, 1 | 2>();
  const out: Node[] = [];
  for (const root of graph.nodes) {
    if (state.has(root)) continue;
    // Iterative depth-first search: deep graphs must not overflow the call stack.
    const stack: [Node, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i < node.inputs.length) {
        top[1]++;
        const p = producer.get(node.inputs[i]!);
        if (!p || state.get(p) === 2) continue;
        if (state.get(p) === 1) throw new OnnxFormatError(`the graph has a cycle through node '${p.name}'`);
        state.set(p, 1);
        stack.push([p, 0]);
      } else {
        stack.pop();
        state.set(node, 2);
        out.push(node);
      }
    }
  }
  return out;
}
