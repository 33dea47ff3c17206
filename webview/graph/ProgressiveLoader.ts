// Big graphs reach the canvas in pieces: cytoscape computes the style of every element it holds
// before drawing, which costs seconds for thousands of nodes. The elements around the initial
// viewport go in first (one cheap first frame); the rest follow in idle-time slices so taps and keys
// are answered in between.
import type cytoscape from 'cytoscape';

/** Graphs with more nodes than this draw the initial viewport first and add the rest in slices. */
export const PROGRESSIVE_NODES = 800;
/** Elements per slice: small enough that a tap between slices is answered promptly. */
const SLICE = 60;
/** Slices wait this long after a pointer or key press so the gesture is answered first. */
const INPUT_PAUSE_MS = 1000;

type Definition = cytoscape.ElementDefinition;

export class ProgressiveLoader {
  /** Elements not yet on the canvas, and the timer adding them. */
  private pending: Definition[] = [];
  private cancelSlice: (() => void) | undefined;
  private lastInputAt = -Infinity;
  /** Elements drawn in the first frame of the last load. */
  firstElements = 0;

  constructor(
    private readonly cy: cytoscape.Core,
    /** Paint, highlight and search marks for newly added elements. */
    private readonly decorate: (added: cytoscape.CollectionReturnValue) => void,
    private readonly onComplete: () => void,
  ) {}

  /** Slices keep away from the user's gestures: call on every pointer or key input. */
  noteInput(): void {
    this.lastInputAt = performance.now();
  }

  /** True while elements are still waiting to be added. */
  get building(): boolean {
    return this.pending.length > 0;
  }

  /** Replaces the canvas with these elements: all at once, or the viewport first when the graph is big. */
  load(nodes: Definition[], edges: Definition[]): void {
    this.cancel();
    let first: Definition[] = [...nodes, ...edges];
    if (nodes.length > PROGRESSIVE_NODES) [first, this.pending] = splitByViewport(nodes, edges, this.cy.extent());
    this.firstElements = first.length;
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(first);
    });
    this.decorate(this.cy.elements());
    // Slices start after the first frame has been presented.
    if (this.pending.length) this.cy.one('render', () => requestAnimationFrame(() => this.scheduleSlice()));
    else queueMicrotask(this.onComplete);
  }

  /** Adds every remaining element now (before operations that need the whole graph: fit, export, key moves). */
  flush(): void {
    if (!this.pending.length) return;
    const rest = this.pending;
    this.cancel();
    this.cy.batch(() => { this.cy.add(rest); });
    this.decorate(this.cy.elements());
    this.onComplete();
  }

  cancel(): void {
    this.cancelSlice?.();
    this.cancelSlice = undefined;
    this.pending = [];
  }

  private addSlice(): void {
    const slice = this.pending.splice(0, SLICE);
    let added = this.cy.collection();
    this.cy.batch(() => { added = this.cy.add(slice); });
    this.decorate(added);
    if (this.pending.length) this.scheduleSlice();
    else this.onComplete();
  }

  /** Next slice: when the page is idle, and not within a moment of the user's last input. */
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
}

/**
 * Elements for the first frame (nodes and scope boxes within a screen of the viewport, the
 * neighbours they connect to, and the edges among those) and the rest, nearest rows first.
 */
function splitByViewport(
  nodes: Definition[],
  edges: Definition[],
  ext: { x1: number; y1: number; x2: number; y2: number; w: number; h: number },
): [Definition[], Definition[]] {
  const x1 = ext.x1 - ext.w / 4;
  const x2 = ext.x2 + ext.w / 4;
  const y1 = ext.y1 - ext.h / 4;
  const y2 = ext.y2 + ext.h / 4;
  const near = (d: Definition) => {
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
  const first: Definition[] = [];
  const restNodes: Definition[] = [];
  for (const n of nodes) (inFirst.has(n.data.id!) ? first : restNodes).push(n);
  const restEdges: Definition[] = [];
  for (const e of edges) {
    const both = inFirst.has(e.data.source as string) && inFirst.has(e.data.target as string);
    (both ? first : restEdges).push(e);
  }
  const cy = (ext.y1 + ext.y2) / 2;
  restNodes.sort((a, b) => Math.abs(a.position!.y - cy) - Math.abs(b.position!.y - cy));
  // Each slice's edges follow the nodes they join: nodes first, then edges as their later endpoint arrives.
  const order = new Map<string, number>();
  restNodes.forEach((n, i) => order.set(n.data.id!, i));
  const rank = (e: Definition) =>
    Math.max(order.get(e.data.source as string) ?? -1, order.get(e.data.target as string) ?? -1);
  restEdges.sort((a, b) => rank(a) - rank(b));
  const rest: Definition[] = [];
  let k = 0;
  for (let i = 0; i < restNodes.length; i++) {
    rest.push(restNodes[i]!);
    while (k < restEdges.length && rank(restEdges[k]!) <= i) rest.push(restEdges[k++]!);
  }
  while (k < restEdges.length) rest.push(restEdges[k++]!);
  return [first, rest];
}
