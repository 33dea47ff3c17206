// Nodes carrying subgraphs (If / Loop / Scan bodies, or any graph-valued attribute), nested ones included.
import type { GraphProto, NodeProto } from 'onnx-buf';
import type { Model } from './ir';

export interface ControlFlowNode {
  /** Node name (or `<op>_<index>` when unnamed). */
  name: string;
  opType: string;
  domain: string;
  /** Enclosing control-flow nodes and attributes, outermost first: e.g. `['loop_1.body']`; empty at top level. */
  within: string[];
  /** One entry per graph attribute: its name, the subgraph's name and node count (nested nodes excluded). */
  subgraphs: { attribute: string; graph: string; nodes: number }[];
}

/** Every node with a graph or graphs attribute in the main graph and, recursively, inside those subgraphs. */
export function findControlFlow(model: Model): ControlFlowNode[] {
  const out: ControlFlowNode[] = [];
  const visit = (nodes: readonly NodeProto[], within: string[], names?: readonly string[]) => {
    nodes.forEach((n, i) => {
      const graphs: { attribute: string; graph: GraphProto }[] = [];
      for (const a of n.attribute) {
        if (a.g && (a.type === 5 || a.type === 0)) graphs.push({ attribute: a.name, graph: a.g });
        a.graphs.forEach((g, k) =>
          graphs.push({ attribute: a.graphs.length > 1 ? `${a.name}[${k}]` : a.name, graph: g }));
      }
      if (graphs.length === 0) return;
      const name = names?.[i] ?? (n.name || `${n.opType}_${i}`);
      out.push({
        name, opType: n.opType, domain: n.domain === 'ai.onnx' ? '' : n.domain, within,
        subgraphs: graphs.map((g) => ({ attribute: g.attribute, graph: g.graph.name, nodes: g.graph.node.length })),
      });
      for (const g of graphs) visit(g.graph.node, [...within, `${name}.${g.attribute}`]);
    });
  };
  const top = model.graph.nodes;
  visit(top.map((n) => n.proto ?? protoLike(n)), [], top.map((n) => n.name));
  return out;
}

/** IR nodes built in code have no proto: rebuild the parts `visit` reads from the IR attributes. */
function protoLike(n: Model['graph']['nodes'][number]): NodeProto {
  const attribute = [...n.attributes].map(([name, a]) => ({
    name,
    type: a.type === 'graph' ? 5 : a.type === 'graphs' ? 10 : 0,
    g: a.type === 'graph' ? a.value : undefined,
    graphs: a.type === 'graphs' ? a.value : [],
  }));
  return { name: n.name, opType: n.opType, domain: n.domain, attribute } as unknown as NodeProto;
}
