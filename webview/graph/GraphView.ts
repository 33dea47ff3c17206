// The layer graph on a cytoscape canvas: the only module that creates or drives cytoscape. Layout,
// progressive loading, paint, keyboard and SVG export live in the modules beside it.
import cytoscape from 'cytoscape';
import type { LayerGraphView, LayerNode } from '../../src/shared/viewModel';
import type { Theme } from '../theme';
import { buildElements, type Box, type NodeSize } from './buildElements';
import { exportSvg } from './exportSvg';
import { GroupTree } from './GroupTree';
import { handleGraphKey, type KeyboardTarget } from './keyboard';
import { groupLines, LINE_HEIGHT, nodeLines } from './labels';
import { applyPaint, type NodePaint } from './overlayPaint';
import { PROGRESSIVE_NODES, ProgressiveLoader } from './ProgressiveLoader';
import { graphStylesheet } from './stylesheet';

export interface GraphViewport {
  zoom: number;
  pan: { x: number; y: number };
}

export interface GraphEvents {
  onSelect(nodeId: string | null): void;
  onCollapseChange(collapsed: string[]): void;
  onAnnounce(text: string): void;
  /** Every element of the current collapse state is on the canvas (big graphs arrive in slices). */
  onComplete?(): void;
}

export class GraphView implements KeyboardTarget {
  readonly cy: cytoscape.Core;
  private readonly tree: GroupTree;
  private readonly sizes = new Map<string, NodeSize>();
  private readonly loader: ProgressiveLoader;
  private paint = new Map<string, NodePaint>();
  private highlighted: Set<string> | null = null;
  private matches: string[] = [];
  private matchIndex = -1;
  private matchReps = new Set<string>();
  /** Model-space bounds of the drawn elements, from the last layout. */
  private bounds: Box = { x1: 0, y1: 0, x2: 1, y2: 1 };
  /** Milliseconds of the last layout computation (for the performance test). */
  lastLayoutMs = 0;

  constructor(
    private readonly container: HTMLElement,
    view: LayerGraphView,
    private theme: Theme,
    private readonly events: GraphEvents,
    collapsed: string[] = [],
    private restoreViewport: GraphViewport | null = null,
  ) {
    this.tree = new GroupTree(view, collapsed);
    this.measure();
    const large = view.nodes.length > PROGRESSIVE_NODES;
    this.cy = cytoscape({
      container,
      elements: [],
      style: graphStylesheet(theme, view.edges.length),
      layout: { name: 'preset' },
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: false,
      textureOnViewport: large,
      hideEdgesOnViewport: large,
      hideLabelsOnViewport: large,
      motionBlur: false,
      autoungrabify: true,
    });
    this.loader = new ProgressiveLoader(this.cy, (added) => this.decorate(added), () => this.events.onComplete?.());
    this.cy.on('tap', 'node', (e) => this.select(e.target.id() as string, false));
    this.cy.on('dbltap', 'node', (e) => {
      const id = e.target.id() as string;
      if (this.tree.isGroup(id)) this.toggleGroup(id);
    });
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) {
        this.cy.nodes().unselect();
        this.events.onSelect(null);
      }
    });
    container.addEventListener('keydown', (e) => {
      this.loader.flush();
      if (handleGraphKey(this, e.key)) e.preventDefault();
    });
    for (const type of ['pointerdown', 'pointerup', 'keydown', 'wheel'] as const) {
      container.addEventListener(type, () => this.loader.noteInput(), { capture: true, passive: true });
    }
    this.rebuild();
  }

  /** Elements drawn in the first frame after the last rebuild (all of them unless the graph is big). */
  get firstElements(): number {
    return this.loader.firstElements;
  }

  /** True while a big graph is still being added to the canvas. */
  get building(): boolean {
    return this.loader.building;
  }

  private measure(): void {
    const ctx = document.createElement('canvas').getContext('2d');
    if (ctx) ctx.font = `12px ${this.theme.fontFamily}`;
    const width = (s: string) => (ctx ? ctx.measureText(s).width : s.length * 7);
    const size = (lines: string[]) => ({
      w: Math.max(56, Math.ceil(Math.max(...lines.map(width))) + 18),
      h: lines.length * LINE_HEIGHT + 12,
      lines: lines.join('\n'),
    });
    for (const n of this.tree.view.nodes) this.sizes.set(n.id, size(nodeLines(n)));
    for (const g of this.tree.view.groups) this.sizes.set(g.id, size(groupLines(g.label, g.nodeCount)));
  }

  /** Re-creates the visible elements for the current collapse state, lays them out and repaints. */
  private rebuild(): void {
    const { nodes, edges, bounds, layoutMs } = buildElements(this.tree, this.sizes);
    this.bounds = bounds;
    this.lastLayoutMs = layoutMs;
    this.loader.cancel();
    this.initialView();
    this.loader.load(nodes, edges);
  }

  /** Paint, highlight and search marks for newly added elements. */
  private decorate(eles: cytoscape.CollectionReturnValue): void {
    applyPaint(this.cy, eles.nodes(), this.paint, this.theme.nodeFill);
    this.applyHighlight(eles);
    if (this.matchReps.size) {
      this.cy.batch(() => eles.nodes().forEach((n) => { if (this.matchReps.has(n.id())) n.addClass('match'); }));
    }
  }

  /**
   * The viewport restored after a reload (first build only); otherwise fits the graph, and when that
   * would make labels unreadable, shows the top of the graph at a readable zoom. Uses the layout's own
   * bounds: asking cytoscape for the bounding box would make it compute the style and label size of
   * every element before the first frame.
   */
  private initialView(): void {
    if (this.restoreViewport) {
      this.cy.viewport({ zoom: this.restoreViewport.zoom, pan: { ...this.restoreViewport.pan } });
      this.restoreViewport = null;
      return;
    }
    const bb = this.bounds;
    const w = this.container.clientWidth || 800;
    const h = this.container.clientHeight || 600;
    const pad = 24;
    const cx = (bb.x1 + bb.x2) / 2;
    const fitZoom = Math.min(4, (w - 2 * pad) / Math.max(1, bb.x2 - bb.x1), (h - 2 * pad) / Math.max(1, bb.y2 - bb.y1));
    if (fitZoom >= 0.5) {
      this.cy.viewport({ zoom: fitZoom, pan: { x: w / 2 - cx * fitZoom, y: h / 2 - ((bb.y1 + bb.y2) / 2) * fitZoom } });
      return;
    }
    const zoom = Math.max(0.5, Math.min(1, (w - 2 * pad) / (bb.x2 - bb.x1)));
    this.cy.viewport({ zoom, pan: { x: w / 2 - cx * zoom, y: pad - bb.y1 * zoom } });
  }

  // ------------------------------------------------------------ groups

  collapsedGroups(): string[] {
    return [...this.tree.collapsed];
  }

  isGroup(id: string): boolean {
    return this.tree.isGroup(id);
  }

  toggleGroup(id: string, collapse?: boolean): void {
    const now = this.tree.collapsed.has(id);
    const want = collapse ?? !now;
    if (want === now) return;
    if (want) this.tree.collapsed.add(id);
    else this.tree.collapsed.delete(id);
    this.rebuild();
    this.events.onCollapseChange(this.collapsedGroups());
    this.events.onAnnounce(`${this.tree.groupLabel(id)} ${want ? 'collapsed' : 'expanded'}`);
    this.cy.$id(id).select();
  }

  /** Collapses every group at `depth` (0 = outermost) and deeper; expands all when depth is null. */
  collapseToDepth(depth: number | null): void {
    const atDepth = this.tree.view.groups.filter((g) => this.tree.ancestors(g.id).length - 1 === depth);
    this.tree.collapsed = new Set(depth === null ? [] : atDepth.map((g) => g.id));
    this.rebuild();
    this.events.onCollapseChange(this.collapsedGroups());
  }

  private expandTo(nodeId: string): void {
    const chain = this.tree.chainOf(nodeId);
    if (chain.some((g) => this.tree.collapsed.has(g))) {
      for (const g of chain) this.tree.collapsed.delete(g);
      this.rebuild();
      this.events.onCollapseChange(this.collapsedGroups());
    }
  }

  // ------------------------------------------------------------ styling

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.cy.style(graphStylesheet(theme, this.tree.view.edges.length));
    applyPaint(this.cy, this.cy.nodes(), this.paint, theme.nodeFill);
  }

  /** Replaces the overlay paint (nodes not in the map are drawn plain). */
  setPaint(paint: Map<string, NodePaint>): void {
    this.paint = paint;
    applyPaint(this.cy, this.cy.nodes(), paint, this.theme.nodeFill);
  }

  /** Emphasises these nodes (or the groups that hold them when collapsed) and fades the rest; null clears. */
  highlight(ids: string[] | null): void {
    this.highlighted = ids ? new Set(ids.map((id) => this.tree.representative(id))) : null;
    if (this.highlighted && this.highlighted.size) this.loader.flush();
    this.applyHighlight(this.cy.elements());
    if (this.highlighted && this.highlighted.size) {
      const els = this.cy.collection(this.cy.nodes().filter((n) => this.highlighted!.has(n.id())));
      if (els.length) this.cy.fit(els, 60);
    }
  }

  highlightedIds(): string[] {
    return this.highlighted ? [...this.highlighted] : [];
  }

  private applyHighlight(target: cytoscape.CollectionReturnValue): void {
    const h = this.highlighted;
    this.cy.batch(() => {
      target.removeClass('faded hl');
      if (!h) return;
      target.nodes().forEach((n) => {
        if (h.has(n.id())) n.addClass('hl');
        else if (!n.hasClass('box')) n.addClass('faded');
      });
      target.edges().forEach((e) => {
        if (!(h.has(e.source().id()) && h.has(e.target().id()))) e.addClass('faded');
      });
    });
  }

  // ------------------------------------------------------------ search, selection, viewport

  /** Marks nodes whose name, label or op type contains `query`; returns their ids. */
  search(query: string): string[] {
    const q = query.trim().toLowerCase();
    const hit = (n: LayerNode) =>
      n.id.toLowerCase().includes(q) || n.label.toLowerCase().includes(q) || n.opType.toLowerCase().includes(q);
    this.matches = q ? this.tree.view.nodes.filter(hit).map((n) => n.id) : [];
    this.matchIndex = -1;
    const reps = new Set(this.matches.map((id) => this.tree.representative(id)));
    this.matchReps = reps;
    this.cy.batch(() => {
      this.cy.nodes().removeClass('match');
      this.cy.nodes().forEach((n) => {
        if (reps.has(n.id())) n.addClass('match');
      });
    });
    return this.matches;
  }

  /** Moves to the next (or previous) search match: expands its groups, selects and centres it. */
  nextMatch(step = 1): string | null {
    if (!this.matches.length) return null;
    this.matchIndex = (this.matchIndex + step + this.matches.length) % this.matches.length;
    const id = this.matches[this.matchIndex]!;
    this.select(id, true);
    return id;
  }

  select(id: string, reveal: boolean): void {
    if (reveal) this.expandTo(id);
    if (this.cy.$id(this.tree.representative(id)).empty()) this.loader.flush();
    const node = this.cy.$id(this.tree.representative(id));
    if (node.empty()) return;
    this.cy.nodes().unselect();
    node.select();
    if (reveal) this.reveal(node);
    this.events.onSelect(node.id());
    this.events.onAnnounce(this.describe(node.id()));
  }

  /** Enter on a node: tells the panels again, so the details panel follows. */
  activate(id: string): void {
    this.events.onSelect(id);
  }

  clear(): void {
    this.highlight(null);
    this.cy.nodes().unselect();
    this.events.onSelect(null);
  }

  selectedId(): string | null {
    const s = this.cy.nodes(':selected');
    return s.nonempty() ? s[0]!.id() : null;
  }

  private reveal(node: cytoscape.NodeSingular): void {
    const ext = this.cy.extent();
    const p = node.position();
    if (p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2) {
      if (this.cy.zoom() < 0.6) this.cy.zoom(0.9);
      this.cy.center(node);
    }
  }

  private describe(id: string): string {
    const n = this.tree.node(id);
    if (n) return `${n.opType} ${n.id}${n.parameters.length ? `, ${n.parameters.length} parameter tensors` : ''}`;
    const grp = this.tree.groupInfo(id);
    return grp ? `group ${grp.label}, ${grp.nodeCount} ops, ${grp.collapsed ? 'collapsed' : 'expanded'}` : id;
  }

  fit(): void {
    this.loader.flush();
    this.cy.fit(undefined, 24);
  }

  zoomBy(factor: number): void {
    const center = { x: this.container.clientWidth / 2, y: this.container.clientHeight / 2 };
    this.cy.zoom({ level: this.cy.zoom() * factor, renderedPosition: center });
  }

  viewport(): GraphViewport {
    return { zoom: this.cy.zoom(), pan: { ...this.cy.pan() } };
  }

  setViewport(v: GraphViewport): void {
    this.cy.viewport({ zoom: v.zoom, pan: v.pan });
  }

  nodeInfo(id: string): LayerNode | undefined {
    return this.tree.node(id);
  }

  groupInfo(id: string): { label: string; nodeCount: number; collapsed: boolean; parent?: string } | undefined {
    return this.tree.groupInfo(id);
  }

  // ------------------------------------------------------------ export

  png(): string {
    this.loader.flush();
    const options = { output: 'base64', full: true, scale: 2, bg: this.theme.background,
      maxWidth: 8000, maxHeight: 8000 };
    return this.cy.png(options as cytoscape.ExportStringOptions) as unknown as string;
  }

  /** A self-contained SVG of the visible graph. */
  svg(): string {
    this.loader.flush();
    return exportSvg(this.cy, this.theme, this.paint);
  }

  destroy(): void {
    this.loader.cancel();
    this.cy.destroy();
  }
}
