// The graph as a table: the screen-reader alternative (also shown on demand instead of the canvas).
import type { LayerGraphView, OverlayView } from '../../src/shared/viewModel';
import { clear, h, pct } from '../dom';
import { keptFraction, patternCounts } from '../overlayMath';
import type { OverlaySettings } from './overlayPanel';

export function renderNodeTable(root: HTMLElement, view: LayerGraphView, overlay: OverlayView | null,
  s: OverlaySettings | null, onSelect: (id: string) => void): void {
  clear(root);
  const subs = overlay && s ? s.visible.map((i) => overlay.subnetworks[i]!) : [];
  const t = h('table', { class: 'node-table', id: 'node-table' }, h('caption', {},
    `Layer graph of ${view.model.name || 'the model'} as a table: ${view.nodes.length} nodes in topological order, ` +
    `with inputs and the kept fraction per shown subnetwork.`));
  t.append(h('thead', {}, h('tr', {}, ...['Node', 'Op', 'Scope', 'Inputs from', 'Parameters',
    ...subs.map((x) => `Kept: ${x.label}`)].map((x) => h('th', { scope: 'col' }, x)))));
  const preds = new Map<string, string[]>();
  for (const e of view.edges) preds.set(e.target, [...(preds.get(e.target) ?? []), e.source]);
  const b = h('tbody');
  for (const n of view.nodes) {
    const ov = overlay?.nodes[n.id];
    const counts = ov && s ? patternCounts(ov, s.choice) : null;
    b.append(h('tr', {},
      h('th', { scope: 'row' }, h('button', { class: 'link', onclick: () => onSelect(n.id) }, n.id)),
      h('td', {}, n.opType),
      h('td', {}, n.group ?? ''),
      h('td', {}, (preds.get(n.id) ?? []).join(', ')),
      h('td', {}, n.parameterCount ? n.parameterCount.toLocaleString('en-US') : ''),
      ...(s ? s.visible : []).map((i) => h('td', {}, counts && ov ? pct(keptFraction(counts, ov.total, i), 2) : '')),
    ));
  }
  t.append(b);
  root.append(t);
}
