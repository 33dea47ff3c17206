// Webview entry: builds the page, talks to the host (src/shared/webviewProtocol.ts), keeps UI state
// in vscode.getState/setState, and wires the graph, overlay, heatmaps, ablation matrix and table.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-form-group/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { LayerGraphView, OverlayView } from '../src/shared/viewModel';
import { MessageEndpoint } from '../src/shared/MessageEndpoint';
import type { FromWebview, ToWebview } from '../src/shared/webviewProtocol';
import { clear, h } from './dom';
import { GraphView, type GraphViewport } from './graph/GraphView';
import type { SeedChoice } from './overlayMath';
import { renderAblation } from './panels/ablation';
import { renderDetails } from './panels/details';
import { renderHeatmaps } from './panels/heatmaps';
import { renderNodeTable } from './panels/nodeTable';
import { computePaint, defaultSettings, renderOverlayControls, type OverlaySettings } from './panels/overlayPanel';
import { readTheme, watchTheme } from './theme';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives hiding the panel and reloading the webview. */
interface UiState {
  version: 1;
  collapsed: string[];
  selected: string | null;
  viewport: GraphViewport | null;
  overlay: {
    runId: string;
    visible: string[];
    choice: SeedChoice;
    display: OverlaySettings['display'];
    metric: OverlaySettings['metric'];
  } | null;
  tab: number;
  table: boolean;
  search: string;
  highlight: { ids: string[]; label: string } | null;
}

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as UiState | undefined;
const state: UiState = saved && saved.version === 1 ? saved : {
  version: 1, collapsed: [], selected: null, viewport: null, overlay: null,
  tab: 0, table: false, search: '', highlight: null,
};

let graph: GraphView | null = null;
let view: LayerGraphView | null = null;
let overlay: OverlayView | null = null;
let settings: OverlaySettings | null = null;
let tableDirty = true;

/** Hooks for the browser tests (and for debugging in the webview developer tools). */
const lens = {
  metrics: {
    initAt: 0, pageBuiltAt: 0, graphBuiltAt: 0, renderedAt: 0, completeAt: 0, layoutMs: 0, firstElements: 0, nodes: 0,
  },
  cspViolations: [] as string[],
  get graph() { return graph; },
  get state() { return state; },
};
(window as unknown as { __lens: typeof lens }).__lens = lens;

const endpoint = new MessageEndpoint<ToWebview, FromWebview>((envelope) => vscode.postMessage(envelope), onMessage);
window.addEventListener('message', (e) => void endpoint.receive(e.data));
document.addEventListener('securitypolicyviolation', (e) => {
  const text = `CSP blocked ${e.blockedURI || 'inline'} (${e.violatedDirective})`;
  lens.cspViolations.push(text);
  endpoint.post({ type: 'log', level: 'warn', message: text });
});
window.addEventListener('error', (e) => endpoint.post({
  type: 'log', level: 'error', message: `webview: ${e.message}`,
}));

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function save(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    if (graph) {
      state.viewport = graph.viewport();
      state.collapsed = graph.collapsedGroups();
    }
    vscode.setState(state);
  }, 150);
}

// ------------------------------------------------------------ page

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function buildPage(): void {
  clear(app);
  const searchField = h('vscode-textfield', {
    id: 'search', placeholder: 'Search nodes (name or op)', 'aria-label': 'Search nodes', value: state.search,
  }) as HTMLElement & { value: string };
  const button = (id: string, label: string, title: string, onClick: () => void) => h(
    'vscode-button', { id, secondary: true, title, 'aria-label': title, onclick: onClick }, label,
  );
  app.append(
    h('header', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Graph tools' },
      h('h1', { id: 'title' }, 'Layer graph'),
      searchField,
      h('span', { id: 'search-count', class: 'muted', 'aria-live': 'polite' }),
      button('fit', 'Fit', 'Fit the graph to the window (0)', () => graph?.fit()),
      button('zoom-in', '+', 'Zoom in (+)', () => graph?.zoomBy(1.25)),
      button('zoom-out', '−', 'Zoom out (−)', () => graph?.zoomBy(0.8)),
      button('collapse', 'Collapse', 'Collapse the outermost name scopes', () => graph?.collapseToDepth(0)),
      button('expand', 'Expand', 'Expand every name scope', () => graph?.collapseToDepth(null)),
      button('export-png', 'PNG', 'Export the graph as PNG', () => void exportGraph('png')),
      button('export-svg', 'SVG', 'Export the graph as SVG', () => void exportGraph('svg')),
      button('toggle-table', 'Table', 'Show the graph as a table', () => setTable(!state.table)),
    ),
    h('main', { class: 'layout' },
      h('section', { class: 'graph-wrap', 'aria-label': 'Layer graph' },
        h('div', {
          id: 'graph', tabindex: 0, role: 'application',
          'aria-roledescription': 'layer graph', 'aria-describedby': 'graph-help',
        }),
        h('p', { id: 'graph-help', class: 'sr-only' },
          'Arrow keys move between connected nodes (down: consumers, up: producers, left/right: same row). '
          + 'Enter or Space collapses or expands a scope. Plus and minus zoom, 0 fits, Escape clears the highlight. '
          + 'The same graph is available as a table after the graph.'),
        h('div', { id: 'table-wrap', class: 'table-wrap sr-only' }),
      ),
      h('aside', { class: 'side' },
        h('vscode-tabs', { id: 'tabs', 'selected-index': state.tab },
          h('vscode-tab-header', { slot: 'header', 'data-tab': 'details' }, 'Details'),
          h('vscode-tab-panel', {}, h('div', { id: 'details', class: 'panel' })),
          h('vscode-tab-header', { slot: 'header', 'data-tab': 'overlay' }, 'Subnetworks'),
          h('vscode-tab-panel', {}, h('div', { id: 'overlay', class: 'panel' })),
          h('vscode-tab-header', { slot: 'header', 'data-tab': 'overlap' }, 'Overlap'),
          h('vscode-tab-panel', {}, h('div', { id: 'heatmaps', class: 'panel' })),
          h('vscode-tab-header', { slot: 'header', 'data-tab': 'ablation' }, 'Ablation'),
          h('vscode-tab-panel', {}, h('div', { id: 'ablation', class: 'panel' })),
        ),
      ),
    ),
    h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' }),
  );
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  searchField.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(searchField.value), 150);
  });
  searchField.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      const id = graph?.nextMatch(e.shiftKey ? -1 : 1);
      if (id) status(`Match: ${id}`);
    }
  });
  $('tabs').addEventListener('vsc-tabs-select', (e) => {
    state.tab = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    save();
  });
}

function status(text: string): void {
  $('status').textContent = text;
}

function runSearch(q: string): void {
  state.search = q;
  save();
  const found = graph?.search(q) ?? [];
  $('search-count').textContent = q.trim() ? `${found.length} match${found.length === 1 ? '' : 'es'}` : '';
}

function setTable(show: boolean): void {
  state.table = show;
  save();
  $('table-wrap').classList.toggle('sr-only', !show);
  $('graph').classList.toggle('hidden', show);
  $('toggle-table').textContent = show ? 'Graph' : 'Table';
  if (show) ensureTable();
}

function ensureTable(): void {
  if (!view || !tableDirty) return;
  tableDirty = false;
  renderNodeTable($('table-wrap'), view, overlay, settings, (id) => {
    setTable(false);
    graph?.select(id, true);
  });
}

// ------------------------------------------------------------ messages

async function onMessage(body: ToWebview): Promise<void> {
  switch (body.type) {
    case 'init':
      init(body.view, body.title, body.overlay ?? null);
      return;
    case 'overlay':
      setOverlay(body.overlay, body.subroutine, body.seed);
      return;
    case 'select':
      if (overlay && settings && (body.subroutine !== undefined || body.seed !== undefined)) {
        setOverlay(overlay, body.subroutine, body.seed);
      }
      if (body.nodeId) graph?.select(body.nodeId, true);
      return;
    case 'showError':
      clear(app);
      app.append(h('p', { class: 'error', role: 'alert' }, body.message));
      return;
    default:
      return;
  }
}

function init(v: LayerGraphView, title: string | undefined, ov: OverlayView | null): void {
  lens.metrics.initAt = performance.now();
  lens.metrics.completeAt = 0;
  view = v;
  // The first init finds the page already built (see the end of this file); a later one starts afresh.
  if (graph || !document.getElementById('graph')) buildPage();
  status('');
  $('title').textContent = title ?? (v.model.name || 'Layer graph');
  lens.metrics.pageBuiltAt = performance.now();
  graph?.destroy();
  graph = new GraphView($('graph'), v, readTheme(), {
    onSelect: (id) => {
      state.selected = id;
      save();
      renderDetails($('details'), graph!, id, overlay, settings);
      endpoint.post({ type: 'nodeSelected', nodeId: id });
    },
    onCollapseChange: () => save(),
    onAnnounce: (text) => status(text),
    onComplete: () => {
      lens.metrics.completeAt ||= performance.now();
      // The screen-reader table (thousands of DOM rows on big graphs) waits until the graph is complete
      // and the page idle.
      whenIdle(ensureTable);
    },
  }, state.collapsed, state.viewport);
  lens.metrics.layoutMs = graph.lastLayoutMs;
  lens.metrics.firstElements = graph.firstElements;
  lens.metrics.graphBuiltAt = performance.now();
  lens.metrics.nodes = v.nodes.length;
  graph.cy.on('viewport', () => save());
  graph.cy.one('render', () => requestAnimationFrame(() => {
    lens.metrics.renderedAt = performance.now();
    document.body.dataset.rendered = 'true';
  }));
  watchTheme((theme) => {
    graph?.setTheme(theme);
    if (overlay && settings) graph?.setPaint(computePaint(overlay, settings, theme));
  });
  if (state.viewport) graph.setViewport(state.viewport);
  if (state.search) runSearch(state.search);
  setOverlay(ov);
  if (state.selected) graph.select(state.selected, false);
  else renderDetails($('details'), graph, null, overlay, settings);
  if (state.highlight) {
    graph.highlight(state.highlight.ids);
    status(`Highlighted ${state.highlight.label}`);
    if (state.viewport) graph.setViewport(state.viewport);
  }
  if (state.table) setTable(true);
}

function whenIdle(fn: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => fn());
  else setTimeout(fn, 200);
}

function setOverlay(ov: OverlayView | null, subroutine?: string, seed?: number): void {
  overlay = ov;
  tableDirty = true;
  if (!ov) settings = null;
  else {
    const s = defaultSettings(ov);
    const remembered = state.overlay && state.overlay.runId === ov.runId ? state.overlay : null;
    if (remembered) {
      s.visible = ov.subnetworks.map((x, i) => (remembered.visible.includes(x.id) ? i : -1)).filter((i) => i >= 0);
      s.choice = remembered.choice;
      s.display = remembered.display;
      s.metric = remembered.metric;
    }
    if (subroutine !== undefined) {
      const i = ov.subnetworks.findIndex((x) => x.id === subroutine);
      if (i >= 0) s.visible = [i];
    }
    if (seed !== undefined) {
      const k = ov.seeds.indexOf(seed);
      if (k >= 0) s.choice = { kind: 'seed', index: k };
    }
    settings = s;
  }
  applySettings();
}

function applySettings(): void {
  if (!graph) return;
  state.overlay = overlay && settings
    ? {
      runId: overlay.runId,
      visible: settings.visible.map((i) => overlay!.subnetworks[i]!.id),
      choice: settings.choice,
      display: settings.display,
      metric: settings.metric,
    }
    : state.overlay;
  save();
  graph.setPaint(overlay && settings ? computePaint(overlay, settings, readTheme()) : new Map());
  renderOverlayControls($('overlay'), overlay, settings, (s) => {
    settings = s;
    tableDirty = true;
    applySettings();
  });
  renderHeatmaps($('heatmaps'), overlay, settings, {
    onMetric: (metric) => {
      if (!settings) return;
      settings = { ...settings, metric };
      applySettings();
    },
    onHighlight: (ids, label) => {
      state.highlight = { ids, label };
      save();
      graph?.highlight(ids);
      status(ids.length
        ? `Highlighted ${label}: ${ids.length} layer${ids.length === 1 ? '' : 's'}`
        : `No layers: ${label}`);
    },
  });
  renderAblation($('ablation'), overlay);
  renderDetails($('details'), graph, graph.selectedId(), overlay, settings);
  if (state.table) ensureTable();
}

async function exportGraph(format: 'png' | 'svg'): Promise<void> {
  if (!graph || !view) return;
  const base = (view.model.name || 'model').replace(/[^\w.-]+/g, '_');
  const data = format === 'png' ? graph.png() : graph.svg();
  try {
    const reply = await endpoint.request({
      type: 'export', format, fileName: `${base}.layers.${format}`, data,
      encoding: format === 'png' ? 'base64' : 'utf8',
    });
    status(reply.type === 'exported' && reply.path ? `Saved ${reply.path}` : 'Export cancelled');
  } catch (e) {
    status(`Export failed: ${(e as Error).message}`);
  }
}

// ------------------------------------------------------------ start: `ready` goes last

// The page (toolbar, tabs, web components) is built and laid out while the host prepares `init`.
buildPage();
status('Loading the layer graph…');
void endpoint.request({ type: 'ready' }).then(
  (reply) => onMessage(reply),
  (e: Error) => status(`The host did not answer: ${e.message}`),
);
