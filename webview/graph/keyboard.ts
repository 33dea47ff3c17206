// Keyboard moves on the layer graph: arrows follow edges (down/up) or walk a row (left/right),
// Enter/Space toggles a group, +/-/0 zoom and fit, Escape clears.
import type cytoscape from 'cytoscape';

/** What the keyboard drives; GraphView implements it. */
export interface KeyboardTarget {
  readonly cy: cytoscape.Core;
  selectedId(): string | null;
  select(id: string, reveal: boolean): void;
  isGroup(id: string): boolean;
  toggleGroup(id: string): void;
  activate(id: string): void;
  zoomBy(factor: number): void;
  fit(): void;
  clear(): void;
}

/** Handles one key; returns false for keys the graph does not use (they keep their default action). */
export function handleGraphKey(g: KeyboardTarget, key: string): boolean {
  const sel = g.selectedId();
  const node = sel ? g.cy.$id(sel) : null;
  const pick = (n: cytoscape.NodeCollection | cytoscape.CollectionReturnValue) => {
    const leaf = n.filter((x) => !x.hasClass('box'));
    if (leaf.empty()) return;
    const ordered = leaf.sort((a, b) => px(a) - px(b));
    g.select(ordered[0]!.id(), true);
  };
  switch (key) {
    case 'ArrowDown':
      pick(node ? node.outgoers('node') : topNodes(g.cy));
      return true;
    case 'ArrowUp':
      pick(node ? node.incomers('node') : topNodes(g.cy));
      return true;
    case 'ArrowLeft':
    case 'ArrowRight': {
      if (!node) {
        pick(topNodes(g.cy));
        return true;
      }
      const y = node.position('y');
      const x = node.position('x');
      const dir = key === 'ArrowLeft' ? -1 : 1;
      const sameRow = g.cy.nodes().filter((n) => !n.hasClass('box') && n.id() !== node.id()
        && Math.abs(n.position('y') - y) < 2 && (n.position('x') - x) * dir > 0);
      const next = sameRow.sort((a, b) => Math.abs(px(a) - x) - Math.abs(px(b) - x));
      if (next.nonempty()) g.select(next[0]!.id(), true);
      return true;
    }
    case 'Enter':
    case ' ':
      if (sel && g.isGroup(sel)) g.toggleGroup(sel);
      else if (sel) g.activate(sel);
      return true;
    case '+':
    case '=':
      g.zoomBy(1.25);
      return true;
    case '-':
      g.zoomBy(0.8);
      return true;
    case '0':
      g.fit();
      return true;
    case 'Escape':
      g.clear();
      return true;
    default:
      return false;
  }
}

function topNodes(cy: cytoscape.Core): cytoscape.NodeCollection {
  const leaves = cy.nodes().filter((n) => !n.hasClass('box'));
  let minY = Infinity;
  leaves.forEach((n) => { minY = Math.min(minY, n.position('y')); });
  return leaves.filter((n) => Math.abs((n as cytoscape.NodeSingular).position('y') - minY) < 2);
}

const px = (n: cytoscape.SingularElementArgument) => (n as cytoscape.NodeSingular).position('x');
