// Name-scope groups of the layer graph and their collapse state: which visible element stands for a node.
import type { LayerGraphView, LayerNode } from '../../src/shared/viewModel';

export class GroupTree {
  private readonly nodesById = new Map<string, LayerNode>();
  private readonly parent = new Map<string, string | undefined>();
  private readonly label = new Map<string, string>();
  private readonly size = new Map<string, number>();
  collapsed = new Set<string>();

  constructor(readonly view: LayerGraphView, collapsed: string[]) {
    for (const n of view.nodes) this.nodesById.set(n.id, n);
    for (const g of view.groups) {
      this.parent.set(g.id, g.parent);
      this.label.set(g.id, g.label);
      this.size.set(g.id, g.nodeCount);
    }
    this.collapsed = new Set(collapsed.filter((g) => this.isGroup(g)));
  }

  isGroup(id: string): boolean {
    return this.parent.has(id);
  }

  node(id: string): LayerNode | undefined {
    return this.nodesById.get(id);
  }

  groupInfo(id: string): { label: string; nodeCount: number; collapsed: boolean; parent?: string } | undefined {
    if (!this.isGroup(id)) return undefined;
    const label = this.label.get(id)!;
    return { label, nodeCount: this.size.get(id) ?? 0, collapsed: this.collapsed.has(id), parent: this.parent.get(id) };
  }

  groupLabel(id: string): string {
    return this.label.get(id) ?? id;
  }

  /** The groups that hold a node or group, outermost first (a group is its own last entry). */
  ancestors(group: string | undefined): string[] {
    const out: string[] = [];
    for (let g = group; g; g = this.parent.get(g)) out.unshift(g);
    return out;
  }

  /** Groups that hold a node (or that hold a group, including itself), outermost first. */
  chainOf(id: string): string[] {
    return this.ancestors(this.nodesById.get(id)?.group ?? this.parent.get(id));
  }

  /** The visible element a node or group is drawn as: itself, or its outermost collapsed ancestor. */
  representative(id: string): string {
    for (const g of this.chainOf(id)) if (this.collapsed.has(g)) return g;
    return id;
  }

  /** True when a collapsed group encloses this group (it is then not drawn at all). */
  hiddenGroup(id: string): boolean {
    return this.ancestors(this.parent.get(id)).some((a) => this.collapsed.has(a));
  }
}
