// The cytoscape elements for one collapse state, positioned by layeredLayout. Name scopes are drawn as
// plain box nodes behind their members, sized from the layout, rather than as cytoscape compound nodes:
// compound style updates walk ancestors and descendants for every property of every node, which cost
// seconds on a 2,000-node graph.
import type cytoscape from 'cytoscape';
import { layeredLayout } from '../layeredLayout';
import type { GroupTree } from './GroupTree';
import { LINE_HEIGHT } from './labels';

export interface Box { x1: number; y1: number; x2: number; y2: number }
export interface NodeSize { w: number; h: number; lines: string }

export interface GraphElements {
  nodes: cytoscape.ElementDefinition[];
  edges: cytoscape.ElementDefinition[];
  /** Model-space bounds of everything drawn (scope titles included). */
  bounds: Box;
  layoutMs: number;
}

export function buildElements(tree: GroupTree, sizes: Map<string, NodeSize>): GraphElements {
  const nodes: cytoscape.ElementDefinition[] = [];
  const edges: cytoscape.ElementDefinition[] = [];
  const layoutNodes: { id: string; width: number; height: number; groups: string[] }[] = [];
  for (const g of tree.view.groups) {
    if (tree.hiddenGroup(g.id) || !tree.collapsed.has(g.id)) continue;
    const size = sizes.get(g.id)!;
    nodes.push(
      { group: 'nodes', data: { id: g.id, label: size.lines, w: size.w, h: size.h }, classes: 'scope collapsed' });
    layoutNodes.push({ id: g.id, width: size.w, height: size.h, groups: tree.ancestors(g.parent) });
  }
  for (const n of tree.view.nodes) {
    if (tree.representative(n.id) !== n.id) continue;
    const size = sizes.get(n.id)!;
    const kind = n.opType === 'Input' || n.opType === 'Output' ? 'io' : n.parameters.length ? 'op params' : 'op';
    nodes.push({ group: 'nodes', data: { id: n.id, label: size.lines, w: size.w, h: size.h }, classes: kind });
    layoutNodes.push({ id: n.id, width: size.w, height: size.h, groups: tree.ancestors(n.group) });
  }
  const seen = new Set<string>();
  for (const e of tree.view.edges) {
    const s = tree.representative(e.source);
    const t = tree.representative(e.target);
    if (s === t) continue;
    if (s === e.source && t === e.target) {
      edges.push({ group: 'edges', data: { id: e.id, source: s, target: t } });
    } else {
      const id = `meta:${s}->${t}`;
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push({ group: 'edges', data: { id, source: s, target: t }, classes: 'meta' });
    }
  }
  const t0 = performance.now();
  const links = edges.map((e) => ({ source: e.data.source as string, target: e.data.target as string }));
  const { positions } = layeredLayout(layoutNodes, links, { rankSep: 48 });
  const layoutMs = performance.now() - t0;
  // Scope boxes: union of the members' boxes, more padding for outer scopes.
  const boxes = new Map<string, Box & { depth: number }>();
  for (const ln of layoutNodes) {
    const p = positions.get(ln.id)!;
    ln.groups.forEach((g, level) => {
      const pad = 10 * (ln.groups.length - level);
      const b = boxes.get(g) ?? { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity, depth: level };
      b.x1 = Math.min(b.x1, p.x - ln.width / 2 - pad);
      b.x2 = Math.max(b.x2, p.x + ln.width / 2 + pad);
      b.y1 = Math.min(b.y1, p.y - ln.height / 2 - pad);
      b.y2 = Math.max(b.y2, p.y + ln.height / 2 + pad);
      boxes.set(g, b);
    });
  }
  // Bounds of everything drawn (scope titles sit above their boxes: leave a line for them).
  const all = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
  for (const ln of layoutNodes) {
    const p = positions.get(ln.id)!;
    all.x1 = Math.min(all.x1, p.x - ln.width / 2);
    all.x2 = Math.max(all.x2, p.x + ln.width / 2);
    all.y1 = Math.min(all.y1, p.y - ln.height / 2);
    all.y2 = Math.max(all.y2, p.y + ln.height / 2);
  }
  for (const b of boxes.values()) {
    all.x1 = Math.min(all.x1, b.x1);
    all.x2 = Math.max(all.x2, b.x2);
    all.y1 = Math.min(all.y1, b.y1 - LINE_HEIGHT);
    all.y2 = Math.max(all.y2, b.y2);
  }
  for (const n of nodes) n.position = positions.get(n.data.id!)!;
  for (const [g, b] of boxes) {
    nodes.unshift({
      group: 'nodes',
      data: { id: g, label: tree.groupLabel(g), w: b.x2 - b.x1, h: b.y2 - b.y1, z: b.depth },
      position: { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 },
      classes: 'scope box',
    });
  }
  const bounds = Number.isFinite(all.x1) ? all : { x1: 0, y1: 0, x2: 1, y2: 1 };
  return { nodes, edges, bounds, layoutMs };
}
