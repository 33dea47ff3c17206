// The layer graph on a cytoscape canvas: the only module that touches cytoscape. Op nodes with
// their parameters folded in, name-scope groups as compound nodes (collapsible), positions from
// layeredLayout, overlay paint as pie slices, highlight, search, keyboard moves, PNG/SVG export.
// Big graphs are built progressively: the initial viewport first, the rest in idle-time slices.
import cytoscape from 'cytoscape';
import type { LayerGraphView, LayerNode } from '../src/shared/viewModel';
import { layeredLayout } from './layeredLayout';
import type { Theme } from './theme';

/** Overlay paint of one node: one pie slice per visible subnetwork (equal angles), opacity = amount. */
export interface NodePaint {
  slices: { color: string; amount: number }[];
  /** Outline colour and width for nodes in an intersection; omitted otherwise. */
  ring?: { color: string; width: number };
}

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

/** Graphs with more nodes than this draw the initial viewport first and add the rest in slices. */
const PROGRESSIVE_NODES = 800;
/** Elements per slice: small enough that a tap between slices is answered promptly. */
const SLICE = 60;
/** Slices wait this long after a pointer or key press so the gesture is answered first. */
const INPUT_PAUSE_MS = 1000;
const GRADIENT_PROPS = 'background-fill background-gradient-direction background-gradient-stop-colors background-gradient-stop-positions';
const LINE_HEIGHT = 15;

export class GraphView {
  readonly cy: cytoscape.Core;
  private readonly nodesById = new Map<string, LayerNode>();
  private readonly groupParent = new Map<string, string | undefined>();
  private readonly groupLabel = new Map<string, string>();
  private readonly groupSize = new Map<string, number>();
  private readonly sizes = new Map<string, { w: number; h: number; lines: string }>();
  private collapsed = new Set<string>();
  private paint = new Map<string, NodePaint>();
  private highlighted: Set<string> | null = null;
  private matches: string[] = [];
  private matchIndex = -1;
  /** Milliseconds of the last layout computation (for the performance test). */
  lastLayoutMs = 0;
  /** Elements drawn in the first frame after the last rebuild (all of them unless the graph is big). */
  firstElements = 0;
  /** Model-space bounds of the drawn elements, from the last layout. */
  private bounds = { x1: 0, y1: 0, x2: 1, y2: 1 };
  /** Elements not yet on the canvas (progressive build of big graphs), and the timer adding them. */
  private pending: cytoscape.ElementDefinition[] = [];
  private cancelSlice: (() => void) | undefined;
  private matchReps = new Set<string>();
  private lastInputAt = -Infinity;

  constructor(private readonly container: HTMLElement, private readonly view: LayerGraphView, private theme: Theme, private readonly events: GraphEvents, collapsed: string[] = [], private restoreViewport: GraphViewport | null = null) {
    for (const n of view.nodes) this.nodesById.set(n.id, n);
    for (const g of view.groups) {
      this.groupParent.set(g.id, g.parent);
      this.groupLabel.set(g.id, g.label);
      this.groupSize.set(g.id, g.nodeCount);
    }
    this.measure();
    this.collapsed = new Set(collapsed.filter((g) => this.groupParent.has(g)));
    const large = view.nodes.length > PROGRESSIVE_NODES;
    this.cy = cytoscape({
      container,
      elements: [],
      style: this.stylesheet(),
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
    this.cy.on('tap', 'node', (e) => {
      const id = e.target.id() as string;
      this.select(id, false);
    });
    this.cy.on('dbltap', 'node', (e) => {
      const id = e.target.id() as string;
      if (this.groupParent.has(id)) this.toggleGroup(id);
    });
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) {
        this.cy.nodes().unselect();
        this.events.onSelect(null);
      }
    });
    container.addEventListener('keydown', (e) => this.onKey(e));
    for (const type of ['pointerdown', 'pointerup', 'keydown', 'wheel'] as const) container.addEventListener(type, () => { this.lastInputAt = performance.now(); }, { capture: true, passive: true });
    this.rebuild();
  }

  // ------------------------------------------------------------ elements and layout

  private ancestors(group: string | undefined): string[] {
    const out: string[] = [];
    for (let g = group; g; g = this.groupParent.get(g)) out.unshift(g);
    return out;
  }

  /** The visible element a node or group is drawn as: itself, or its outermost collapsed ancestor. */
  private representative(id: string): string {
    const group = this.nodesById.get(id)?.group ?? this.groupParent.get(id);
    const chain = this.ancestors(group);
    for (const g of chain) if (this.collapsed.has(g)) return g;
    return id;
  }

  private measure(): void {
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d');
    const font = `12px ${this.theme.fontFamily}`;
    if (ctx) ctx.font = font;
    const width = (s: string) => (ctx ? ctx.measureText(s).width : s.length * 7);
    for (const n of this.view.nodes) {
      const lines = nodeLines(n);
      const w = Math.max(56, Math.ceil(Math.max(...lines.map(width))) + 18);
      this.sizes.set(n.id, { w, h: lines.length * LINE_HEIGHT + 12, lines: lines.join('\n') });
    }
    for (const g of this.view.groups) {
      const lines = [truncate(g.label, 28), `${g.nodeCount} ops`];
      const w = Math.max(56, Math.ceil(Math.max(...lines.map(width))) + 18);
      this.sizes.set(g.id, { w, h: lines.length * LINE_HEIGHT + 12, lines: lines.join('\n') });
    }
  }

  /**
   * Re-creates the visible elements for the current collapse state, lays them out and repaints.
   * Name scopes are drawn as plain box nodes behind their members, sized from the layout, rather than
   * as cytoscape compound nodes: compound style updates walk ancestors and descendants for every
   * property of every node, which cost seconds on a 2,000-node graph here.
   */
  private rebuild(): void {
    const nodes: cytoscape.ElementDefinition[] = [];
    const edges: cytoscape.ElementDefinition[] = [];
    const layoutNodes: { id: string; width: number; height: number; groups: string[] }[] = [];
    const hiddenGroup = (g: string) => this.ancestors(this.groupParent.get(g)).some((a) => this.collapsed.has(a));
    for (const g of this.view.groups) {
      if (hiddenGroup(g.id) || !this.collapsed.has(g.id)) continue;
      const size = this.sizes.get(g.id)!;
      nodes.push({ group: 'nodes', data: { id: g.id, label: size.lines, w: size.w, h: size.h }, classes: 'scope collapsed' });
      layoutNodes.push({ id: g.id, width: size.w, height: size.h, groups: this.ancestors(g.parent) });
    }
    for (const n of this.view.nodes) {
      if (this.representative(n.id) !== n.id) continue;
      const size = this.sizes.get(n.id)!;
      const kind = n.opType === 'Input' || n.opType === 'Output' ? 'io' : n.parameters.length ? 'op params' : 'op';
      nodes.push({ group: 'nodes', data: { id: n.id, label: size.lines, w: size.w, h: size.h }, classes: kind });
      layoutNodes.push({ id: n.id, width: size.w, height: size.h, groups: this.ancestors(n.group) });
    }
    const seen = new Set<string>();
    for (const e of this.view.edges) {
      const s = this.representative(e.source);
      const t = this.representative(e.target);
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
    const { positions } = layeredLayout(layoutNodes, edges.map((e) => ({ source: e.data.source as string, target: e.data.target as string })), { rankSep: 48 });
    this.lastLayoutMs = performance.now() - t0;
    // Scope boxes: union of the members' boxes, more padding for outer scopes.
    const boxes = new Map<string, { x1: number; y1: number; x2: number; y2: number; depth: number }>();
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
    this.bounds = Number.isFinite(all.x1) ? all : { x1: 0, y1: 0, x2: 1, y2: 1 };
    for (const n of nodes) n.position = positions.get(n.data.id!)!;
    for (const [g, b] of boxes) {
      nodes.unshift({
        group: 'nodes',
        data: { id: g, label: this.groupLabel.get(g) ?? g, w: b.x2 - b.x1, h: b.y2 - b.y1, z: b.depth },
        position: { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 },
        classes: 'scope box',
      });
    }
    this.cancelPending();
    this.initialView();
    let first: cytoscape.ElementDefinition[] = [...nodes, ...edges];
    if (nodes.length > PROGRESSIVE_NODES) [first, this.pending] = splitByViewport(nodes, edges, this.cy.extent());
    this.firstElements = first.length;
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(first);
    });
    this.decorate(this.cy.elements());
    // Slices start after the first frame has been presented.
    if (this.pending.length) this.cy.one('render', () => requestAnimationFrame(() => this.scheduleSlice()));
    else queueMicrotask(() => this.events.onComplete?.());
  }

  /**
   * Big graphs: the elements around the initial viewport go in first (one cheap first frame); the
   * rest follow in slices, one task each, so taps and keys are answered in between. Cytoscape
   * computes the style of every element it holds before drawing, which is what costs seconds.
   */
  private addSlice(): void {
    const slice = this.pending.splice(0, SLICE);
    let added = this.cy.collection();
    this.cy.batch(() => { added = this.cy.add(slice); });
    this.decorate(added);
    if (this.pending.length) this.scheduleSlice();
    else this.events.onComplete?.();
  }

  /** Next slice: when the page is idle (requestIdleCallback), and not within a moment of the user's last input. */
  private scheduleSlice(): void {
    const wait = this.lastInputAt + INPUT_PAUSE_MS - performance.now();
    const step = () => {
      if (performance.now() - this.lastInputAt < INPUT_PAUSE_MS) this.scheduleSlice();
      else if (typeof requestIdleCallback === 'function') {
        const id = requestIdleCallback(() => { this.cancelSlice = undefined; this.addSlice(); });
        this.cancelSlice = () => cancelIdleCallback(id);
      } else this.addSlice();
    };
    const timer = setTimeout(() => { this.cancelSlice = undefined; step(); }, Math.max(0, wait));
    this.cancelSlice = () => clearTimeout(timer);
  }

  /** Adds every remaining element now (before operations that need the whole graph: fit, export, key moves). */
  private flush(): void {
    if (!this.pending.length) return;
    const rest = this.pending;
    this.cancelPending();
    this.cy.batch(() => { this.cy.add(rest); });
    this.decorate(this.cy.elements());
    this.events.onComplete?.();
  }

  private cancelPending(): void {
    this.cancelSlice?.();
    this.cancelSlice = undefined;
    this.pending = [];
  }

  /** Paint, highlight and search marks for newly added elements. */
  private decorate(eles: cytoscape.CollectionReturnValue): void {
    this.applyPaint(eles.nodes());
    this.applyHighlight(eles);
    if (this.matchReps.size) this.cy.batch(() => eles.nodes().forEach((n) => { if (this.matchReps.has(n.id())) n.addClass('match'); }));
  }

  /** True while a big graph is still being added to the canvas. */
  get building(): boolean {
    return this.pending.length > 0;
  }

  /**
   * The viewport restored after a reload (first build only); otherwise fits the graph, and when that
   * would make labels unreadable, shows the top of the graph at a readable zoom. Uses the layout's own bounds: asking cytoscape for the bounding box would make it compute
   * the style and label size of every element before the first frame.
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
    const fitZoom = Math.min(4, (w - 2 * pad) / Math.max(1, bb.x2 - bb.x1), (h - 2 * pad) / Math.max(1, bb.y2 - bb.y1));
    if (fitZoom >= 0.5) {
      this.cy.viewport({ zoom: fitZoom, pan: { x: w / 2 - ((bb.x1 + bb.x2) / 2) * fitZoom, y: h / 2 - ((bb.y1 + bb.y2) / 2) * fitZoom } });
      return;
    }
    const zoom = Math.max(0.5, Math.min(1, (w - 2 * pad) / (bb.x2 - bb.x1)));
    this.cy.viewport({ zoom, pan: { x: w / 2 - ((bb.x1 + bb.x2) / 2) * zoom, y: pad - bb.y1 * zoom } });
  }

  collapsedGroups(): string[] {
    return [...this.collapsed];
  }

  toggleGroup(id: string, collapse?: boolean): void {
    const now = this.collapsed.has(id);
    const want = collapse ?? !now;
    if (want === now) return;
    if (want) this.collapsed.add(id);
    else this.collapsed.delete(id);
    this.rebuild();
    this.events.onCollapseChange(this.collapsedGroups());
    this.events.onAnnounce(`${this.groupLabel.get(id)} ${want ? 'collapsed' : 'expanded'}`);
    this.cy.$id(id).select();
  }

  /** Collapses every group at `depth` (0 = outermost) and deeper; expands all when depth is null. */
  collapseToDepth(depth: number | null): void {
    this.collapsed = new Set(depth === null ? [] : this.view.groups.filter((g) => this.ancestors(g.id).length - 1 === depth).map((g) => g.id));
    this.rebuild();
    this.events.onCollapseChange(this.collapsedGroups());
  }

  private expandTo(nodeId: string): void {
    const group = this.nodesById.get(nodeId)?.group ?? this.groupParent.get(nodeId);
    const chain = this.ancestors(group);
    if (chain.some((g) => this.collapsed.has(g))) {
      for (const g of chain) this.collapsed.delete(g);
      this.rebuild();
      this.events.onCollapseChange(this.collapsedGroups());
    }
  }

  // ------------------------------------------------------------ styling

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.cy.style(this.stylesheet());
    this.applyPaint(this.cy.nodes());
  }

  private stylesheet(): cytoscape.StylesheetJson {
    const t = this.theme;
    const hc = t.kind.startsWith('high-contrast');
    return [
      {
        selector: 'node',
        style: {
          shape: 'round-rectangle',
          width: 'data(w)',
          height: 'data(h)',
          label: 'data(label)',
          'text-wrap': 'wrap',
          'text-valign': 'center',
          'text-halign': 'center',
          'font-family': t.fontFamily,
          'font-size': 12,
          color: t.foreground,
          'background-color': t.nodeFill,
          'border-width': hc ? 2 : 1,
          'border-color': t.border,
          'min-zoomed-font-size': 6,
          'z-index-compare': 'manual',
          'z-index': 100,
        },
      },
      { selector: 'node.params', style: { 'border-width': hc ? 3 : 2 } },
      { selector: 'node.io', style: { shape: 'round-tag', 'background-color': t.groupFill, 'border-style': 'dashed' } },
      {
        selector: 'node.box',
        style: {
          'background-color': t.groupFill,
          'background-opacity': 0.45,
          'border-style': 'dashed',
          'border-color': t.border,
          color: t.muted,
          'text-valign': 'top',
          'text-halign': 'center',
          'text-margin-y': -2,
          'font-size': 11,
          'z-index': 'data(z)',
        },
      },
      { selector: 'node.scope.collapsed', style: { 'border-style': 'double', 'border-width': 4, color: t.foreground, 'font-size': 12 } },
      { selector: 'node.ring', style: { 'border-color': 'data(rc)', 'border-width': 'data(rw)', 'border-style': 'solid' } },
      {
        selector: 'edge',
        style: {
          width: hc ? 2 : 1.2,
          'line-color': t.edge,
          'target-arrow-color': t.edge,
          'target-arrow-shape': 'triangle',
          'arrow-scale': 0.8,
          'curve-style': this.view.edges.length > 600 ? 'straight' : 'bezier',
          'z-index-compare': 'manual',
          'z-index': 50,
        },
      },
      { selector: 'edge.meta', style: { 'line-style': 'dashed', width: hc ? 3 : 2 } },
      { selector: '.faded', style: { opacity: 0.22 } },
      { selector: 'node.hl', style: { 'border-color': t.highlight, 'border-width': 4, 'border-style': 'solid', opacity: 1 } },
      { selector: 'node.match', style: { 'border-color': t.highlight, 'border-width': 3, 'border-style': 'solid' } },
      { selector: 'node:selected', style: { 'overlay-color': t.focus, 'overlay-opacity': 0.25, 'overlay-padding': 4, 'border-color': t.focus, 'border-width': 3 } },
    ] as unknown as cytoscape.StylesheetJson;
  }

  /** Replaces the overlay paint (nodes not in the map are drawn plain). */
  setPaint(paint: Map<string, NodePaint>): void {
    this.paint = paint;
    this.applyPaint(this.cy.nodes());
  }

  /**
   * Paint as vertical bands, one per shown subnetwork, each its colour mixed into the node fill by
   * the amount (a pie would only fill the circle inscribed in a wide node). Per-element style
   * bypasses, re-applied after theme changes because the mix depends on the node fill.
   */
  private applyPaint(target: cytoscape.NodeCollection): void {
    const fill = this.theme.nodeFill;
    this.cy.batch(() => {
      target.forEach((node) => {
        const p = this.paint.get(node.id());
        if (!p || p.slices.length === 0) {
          if (node.hasClass('ov')) {
            node.removeStyle(GRADIENT_PROPS);
            node.removeClass('ov');
            node.data({ paint: null });
          }
        } else {
          const colors: string[] = [];
          const stops: string[] = [];
          const n = p.slices.length;
          p.slices.forEach((sl, k) => {
            const c = mix(sl.color, fill, sl.amount);
            colors.push(c, c);
            stops.push(`${(k * 100) / n}%`, `${((k + 1) * 100) / n}%`);
          });
          node.style({
            'background-fill': 'linear-gradient',
            'background-gradient-direction': 'to-right',
            'background-gradient-stop-colors': colors.join(' '),
            'background-gradient-stop-positions': stops.join(' '),
          });
          node.data({ paint: p.slices.map((sl) => sl.color.toLowerCase()).join(' ') });
          node.addClass('ov');
        }
        if (p?.ring) {
          node.data({ rc: p.ring.color, rw: p.ring.width });
          node.addClass('ring');
        } else if (node.hasClass('ring')) node.removeClass('ring');
      });
    });
  }

  /** Emphasises these nodes (or the groups that hold them when collapsed) and fades the rest; null clears. */
  highlight(ids: string[] | null): void {
    this.highlighted = ids ? new Set(ids.map((id) => this.representative(id))) : null;
    if (this.highlighted && this.highlighted.size) this.flush();
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
    this.matches = q ? this.view.nodes.filter((n) => n.id.toLowerCase().includes(q) || n.label.toLowerCase().includes(q) || n.opType.toLowerCase().includes(q)).map((n) => n.id) : [];
    this.matchIndex = -1;
    const reps = new Set(this.matches.map((id) => this.representative(id)));
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
    if (this.cy.$id(this.representative(id)).empty()) this.flush();
    const node = this.cy.$id(this.representative(id));
    if (node.empty()) return;
    this.cy.nodes().unselect();
    node.select();
    if (reveal) this.reveal(node);
    this.events.onSelect(node.id());
    this.events.onAnnounce(describe(this, node.id()));
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

  fit(): void {
    this.flush();
    this.cy.fit(undefined, 24);
  }

  zoomBy(factor: number): void {
    const z = this.cy.zoom() * factor;
    this.cy.zoom({ level: z, renderedPosition: { x: this.container.clientWidth / 2, y: this.container.clientHeight / 2 } });
  }

  viewport(): GraphViewport {
    return { zoom: this.cy.zoom(), pan: { ...this.cy.pan() } };
  }

  setViewport(v: GraphViewport): void {
    this.cy.viewport({ zoom: v.zoom, pan: v.pan });
  }

  nodeInfo(id: string): LayerNode | undefined {
    return this.nodesById.get(id);
  }

  groupInfo(id: string): { label: string; nodeCount: number; collapsed: boolean; parent?: string } | undefined {
    if (!this.groupParent.has(id)) return undefined;
    return { label: this.groupLabel.get(id)!, nodeCount: this.groupSize.get(id) ?? 0, collapsed: this.collapsed.has(id), parent: this.groupParent.get(id) };
  }

  // ------------------------------------------------------------ keyboard

  private onKey(e: KeyboardEvent): void {
    this.flush();
    const sel = this.selectedId();
    const node = sel ? this.cy.$id(sel) : null;
    const pick = (n: cytoscape.NodeCollection | cytoscape.CollectionReturnValue) => {
      const leaf = n.filter((x) => !x.hasClass('box'));
      if (leaf.empty()) return;
      const ordered = leaf.sort((a, b) => px(a) - px(b));
      this.select(ordered[0]!.id(), true);
    };
    switch (e.key) {
      case 'ArrowDown':
        if (!node) pick(this.topNodes());
        else pick(node.outgoers('node'));
        break;
      case 'ArrowUp':
        if (!node) pick(this.topNodes());
        else pick(node.incomers('node'));
        break;
      case 'ArrowLeft':
      case 'ArrowRight': {
        if (!node) {
          pick(this.topNodes());
          break;
        }
        const y = node.position('y');
        const x = node.position('x');
        const dir = e.key === 'ArrowLeft' ? -1 : 1;
        const same = this.cy.nodes().filter((n) => !n.hasClass('box') && n.id() !== node.id() && Math.abs(n.position('y') - y) < 2 && (n.position('x') - x) * dir > 0);
        const next = same.sort((a, b) => Math.abs(px(a) - x) - Math.abs(px(b) - x));
        if (next.nonempty()) this.select(next[0]!.id(), true);
        break;
      }
      case 'Enter':
      case ' ':
        if (sel && this.groupParent.has(sel)) this.toggleGroup(sel);
        else if (sel) this.events.onSelect(sel);
        break;
      case '+':
      case '=':
        this.zoomBy(1.25);
        break;
      case '-':
        this.zoomBy(0.8);
        break;
      case '0':
        this.fit();
        break;
      case 'Escape':
        this.highlight(null);
        this.cy.nodes().unselect();
        this.events.onSelect(null);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private topNodes(): cytoscape.NodeCollection {
    const leaves = this.cy.nodes().filter((n) => !n.hasClass('box'));
    let minY = Infinity;
    leaves.forEach((n) => { minY = Math.min(minY, n.position('y')); });
    return leaves.filter((n) => Math.abs((n as cytoscape.NodeSingular).position('y') - minY) < 2);
  }

  // ------------------------------------------------------------ export

  png(): string {
    this.flush();
    return this.cy.png({ output: 'base64', full: true, scale: 2, bg: this.theme.background, maxWidth: 8000, maxHeight: 8000 }) as unknown as string;
  }

  /** A self-contained SVG of the visible graph (scope boxes, edges, nodes with overlay slices, labels). */
  svg(): string {
    this.flush();
    const t = this.theme;
    const bb = this.cy.elements().boundingBox({});
    const pad = 20;
    const out: string[] = [];
    const x0 = bb.x1 - pad;
    const y0 = bb.y1 - pad;
    const w = bb.w + 2 * pad;
    const h = bb.h + 2 * pad;
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${f(x0)} ${f(y0)} ${f(w)} ${f(h)}" width="${f(w)}" height="${f(h)}" font-family="${esc(t.fontFamily)}" font-size="12">`);
    out.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${esc(t.edge)}"/></marker></defs>`);
    out.push(`<rect x="${f(x0)}" y="${f(y0)}" width="${f(w)}" height="${f(h)}" fill="${esc(t.background)}"/>`);
    const parents = this.cy.nodes('.box').sort((a, b) => Number(a.data('z')) - Number(b.data('z')));
    parents.forEach((n) => {
      const b = n.boundingBox({ includeLabels: false });
      out.push(`<g class="scope"><rect x="${f(b.x1)}" y="${f(b.y1)}" width="${f(b.w)}" height="${f(b.h)}" rx="6" fill="${esc(t.groupFill)}" fill-opacity="0.5" stroke="${esc(t.border)}" stroke-dasharray="4 3"/>`
        + `<text x="${f(b.x1 + b.w / 2)}" y="${f(b.y1 - 4)}" text-anchor="middle" fill="${esc(t.muted)}" font-size="11">${esc(String(n.data('label')))}</text></g>`);
    });
    this.cy.edges().forEach((e) => {
      const s = e.sourceEndpoint();
      const d = e.targetEndpoint();
      const dash = e.hasClass('meta') ? ' stroke-dasharray="5 3"' : '';
      out.push(`<line x1="${f(s.x)}" y1="${f(s.y)}" x2="${f(d.x)}" y2="${f(d.y)}" stroke="${esc(t.edge)}" stroke-width="1.2"${dash} marker-end="url(#arrow)"/>`);
    });
    this.cy.nodes().filter((n) => !n.hasClass('box')).forEach((n) => {
      const p = n.position();
      const nw = n.width();
      const nh = n.height();
      const x = p.x - nw / 2;
      const y = p.y - nh / 2;
      const paint = this.paint.get(n.id());
      const stroke = paint?.ring ? paint.ring.color : t.border;
      const sw = paint?.ring ? paint.ring.width : n.hasClass('params') ? 2 : 1;
      out.push(`<g class="node" data-id="${esc(n.id())}"><rect x="${f(x)}" y="${f(y)}" width="${f(nw)}" height="${f(nh)}" rx="6" fill="${esc(t.nodeFill)}"/>`);
      if (paint && paint.slices.length) {
        const clip = `clip-${out.length}`;
        out.push(`<clipPath id="${clip}"><rect x="${f(x)}" y="${f(y)}" width="${f(nw)}" height="${f(nh)}" rx="6"/></clipPath><g clip-path="url(#${clip})">`);
        const n0 = paint.slices.length;
        paint.slices.forEach((sl, k) => {
          out.push(`<rect x="${f(x + (k * nw) / n0)}" y="${f(y)}" width="${f(nw / n0)}" height="${f(nh)}" fill="${esc(mix(sl.color, t.nodeFill, sl.amount))}"/>`);
        });
        out.push('</g>');
      }
      out.push(`<rect x="${f(x)}" y="${f(y)}" width="${f(nw)}" height="${f(nh)}" rx="6" fill="none" stroke="${esc(stroke)}" stroke-width="${f(sw)}"/>`);
      const lines = String(n.data('label')).split('\n');
      lines.forEach((line, i) => {
        const ty = p.y + (i - (lines.length - 1) / 2) * LINE_HEIGHT + 4;
        out.push(`<text x="${f(p.x)}" y="${f(ty)}" text-anchor="middle" fill="${esc(t.foreground)}">${esc(line)}</text>`);
      });
      out.push('</g>');
    });
    out.push('</svg>');
    return out.join('\n');
  }

  destroy(): void {
    this.cancelPending();
    this.cy.destroy();
  }
}

/**
 * Elements for the first frame (nodes and scope boxes within a screen of the viewport, the
 * neighbours they connect to, and the edges among those) and the rest, nearest rows first.
 */
function splitByViewport(nodes: cytoscape.ElementDefinition[], edges: cytoscape.ElementDefinition[], ext: { x1: number; y1: number; x2: number; y2: number; w: number; h: number }): [cytoscape.ElementDefinition[], cytoscape.ElementDefinition[]] {
  const x1 = ext.x1 - ext.w / 4;
  const x2 = ext.x2 + ext.w / 4;
  const y1 = ext.y1 - ext.h / 4;
  const y2 = ext.y2 + ext.h / 4;
  const near = (d: cytoscape.ElementDefinition) => {
    const p = d.position!;
    const w = Number(d.data.w) / 2;
    const h = Number(d.data.h) / 2;
    return p.x + w >= x1 && p.x - w <= x2 && p.y + h >= y1 && p.y - h <= y2;
  };
  const seen = new Set<string>();
  for (const n of nodes) if (near(n)) seen.add(n.data.id!);
  const inFirst = new Set(seen);
  for (const e of edges) {
    const s = e.data.source as string;
    const t = e.data.target as string;
    if (seen.has(s) || seen.has(t)) {
      inFirst.add(s);
      inFirst.add(t);
    }
  }
  const first: cytoscape.ElementDefinition[] = [];
  const restNodes: cytoscape.ElementDefinition[] = [];
  for (const n of nodes) (inFirst.has(n.data.id!) ? first : restNodes).push(n);
  const restEdges: cytoscape.ElementDefinition[] = [];
  for (const e of edges) (inFirst.has(e.data.source as string) && inFirst.has(e.data.target as string) ? first : restEdges).push(e);
  const cy = (ext.y1 + ext.y2) / 2;
  restNodes.sort((a, b) => Math.abs(a.position!.y - cy) - Math.abs(b.position!.y - cy));
  // Each slice's edges follow the nodes they join: add nodes first, then edges in the order their later endpoint arrives.
  const order = new Map<string, number>();
  restNodes.forEach((n, i) => order.set(n.data.id!, i));
  const rank = (e: cytoscape.ElementDefinition) => Math.max(order.get(e.data.source as string) ?? -1, order.get(e.data.target as string) ?? -1);
  restEdges.sort((a, b) => rank(a) - rank(b));
  const rest: cytoscape.ElementDefinition[] = [];
  let k = 0;
  for (let i = 0; i < restNodes.length; i++) {
    rest.push(restNodes[i]!);
    while (k < restEdges.length && rank(restEdges[k]!) <= i) rest.push(restEdges[k++]!);
  }
  while (k < restEdges.length) rest.push(restEdges[k++]!);
  return [first, rest];
}

const px = (n: cytoscape.SingularElementArgument) => (n as cytoscape.NodeSingular).position('x');

function nodeLines(n: LayerNode): string[] {
  if (n.opType === 'Input' || n.opType === 'Output') {
    const shape = n.outputs[0]?.shape ?? n.inputs[0]?.shape;
    return [truncate(n.label, 28), `${n.opType}${shape ? ' ' + shapeText(shape) : ''}`];
  }
  const first = n.parameters.find((p) => p.maskable) ?? n.parameters[0];
  const second = first ? `${n.opType} ${shapeText(first.shape)}` : n.opType;
  return n.label === n.opType ? [second] : [truncate(n.label, 28), second];
}

export function shapeText(shape: (number | string | null)[]): string {
  return shape.map((d) => (d === null ? '?' : String(d))).join('×') || 'scalar';
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

function describe(g: GraphView, id: string): string {
  const n = g.nodeInfo(id);
  if (n) return `${n.opType} ${n.id}${n.parameters.length ? `, ${n.parameters.length} parameter tensors` : ''}`;
  const grp = g.groupInfo(id);
  return grp ? `group ${grp.label}, ${grp.nodeCount} ops, ${grp.collapsed ? 'collapsed' : 'expanded'}` : id;
}

/** `color` mixed into `base` by `amount` in [0, 1] (hex or rgb() inputs), as #rrggbb. */
export function mix(color: string, base: string, amount: number): string {
  const a = rgb(color);
  const b = rgb(base);
  const t = Math.max(0, Math.min(1, amount));
  return '#' + a.map((v, i) => Math.round(v * t + b[i]! * (1 - t)).toString(16).padStart(2, '0')).join('');
}

function rgb(c: string): [number, number, number] {
  const s = c.trim();
  if (s.startsWith('#')) {
    const hex = s.length === 4 ? s.slice(1).split('').map((x) => x + x).join('') : s.slice(1, 7);
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) || 0) as [number, number, number];
  }
  const m = s.match(/\d+(\.\d+)?/g);
  return m && m.length >= 3 ? [Number(m[0]), Number(m[1]), Number(m[2])] : [128, 128, 128];
}

function f(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '0';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
