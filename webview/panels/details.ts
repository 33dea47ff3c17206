// Details of the selected node: op, attributes, tensors, parameters, kept fraction per subnetwork.
import type { LayerNode, OverlayView } from '../../src/shared/viewModel';
import { clear, h, pct, swatch } from '../dom';
import type { GraphView } from '../graph/GraphView';
import { shapeText } from '../graph/labels';
import { intersectionFraction, keptFraction, patternCounts } from '../overlayMath';
import { subnetworkColour } from '../theme';
import { bits, type OverlaySettings } from './overlayPanel';

export function renderDetails(root: HTMLElement, graph: GraphView, id: string | null, overlay: OverlayView | null,
  s: OverlaySettings | null): void {
  clear(root);
  if (!id) {
    root.append(h('p', { class: 'muted' },
      'Select a node (click, or focus the graph and use the arrow keys) to see its details.'));
    return;
  }
  const group = graph.groupInfo(id);
  if (group) {
    root.append(
      h('h3', {}, group.label),
      h('p', {}, `Name scope with ${group.nodeCount} ops.`),
      h('vscode-button', { id: 'toggle-group', onclick: () => graph.toggleGroup(id) },
        group.collapsed ? 'Expand group' : 'Collapse group'),
    );
    return;
  }
  const n = graph.nodeInfo(id);
  if (!n) return;
  root.append(h('h3', {}, n.label), h('p', { class: 'mono small' }, n.id));
  root.append(kv([
    ['Op', n.domain ? `${n.domain}.${n.opType}` : n.opType],
    ['Scope', n.group ?? '–'],
    ['Parameters', n.parameterCount.toLocaleString('en-US')],
  ]));
  const attrs = Object.entries(n.attributes);
  if (attrs.length) root.append(h('h4', {}, 'Attributes'), kv(attrs));
  root.append(h('h4', {}, 'Tensors'), tensorTable(n));
  if (n.parameters.length) {
    const t = h('table', { class: 'kv' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Parameter'),
      h('th', { scope: 'col' }, 'Shape'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Maskable'))));
    const b = h('tbody');
    for (const p of n.parameters) {
      // A renamed PyTorch weight is shown under its parameter; a folded constant says why it is not maskable.
      const maskable = p.maskable ? 'yes' : p.notMaskable ? `no: ${p.notMaskable}` : 'no';
      const name = h('td', { class: 'mono' }, p.parameter ?? p.name);
      b.append(h('tr', {}, name, h('td', {}, shapeText(p.shape)), h('td', {}, p.dataType), h('td', {}, maskable)));
    }
    t.append(b);
    root.append(h('h4', {}, 'Parameter tensors'), t);
  }
  const ov = overlay?.nodes[id];
  if (overlay && s && ov) {
    const counts = patternCounts(ov, s.choice);
    root.append(h('h4', {}, 'Kept fraction per subnetwork'));
    const t = h('table', { class: 'kv', id: 'kept-table' });
    overlay.subnetworks.forEach((sub, i) => {
      t.append(h('tr', {}, h('th', { scope: 'row' }, swatch(subnetworkColour(sub.color)), ' ', sub.label),
        h('td', {}, pct(keptFraction(counts, ov.total, i), 2))));
    });
    if (overlay.subnetworks.length > 1) {
      const all = bits(overlay.subnetworks.map((_, i) => i));
      t.append(h('tr', {}, h('th', { scope: 'row' }, 'Kept by all'),
        h('td', {}, pct(intersectionFraction(counts, ov.total, all), 2))));
    }
    root.append(t, h('p', { class: 'muted small' }, `${ov.total.toLocaleString('en-US')} masked weights.`));
    if (ov.parameters.length > 1) {
      const pt = h('table', { class: 'kv' });
      for (const p of ov.parameters) {
        const kept = overlay.subnetworks.map((sub, i) => `${sub.label} ${pct(p.kept[i]! / Math.max(1, p.total), 2)}`);
        pt.append(h('tr', {}, h('th', { scope: 'row', class: 'mono' }, p.name), h('td', {}, kept.join(' · '))));
      }
      root.append(h('h4', {}, 'Per tensor (mean over seeds)'), pt);
    }
  } else if (overlay && n.parameters.some((p) => p.maskable)) {
    root.append(h('p', { class: 'muted' }, 'No mask covers this node’s parameters in the shown run.'));
  }
}

function kv(rows: [string, string][]): HTMLTableElement {
  const t = h('table', { class: 'kv' });
  for (const [k, v] of rows) t.append(h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)));
  return t;
}

function tensorTable(n: LayerNode): HTMLTableElement {
  const t = h('table', { class: 'kv' });
  for (const [dir, list] of [['in', n.inputs], ['out', n.outputs]] as const) {
    for (const r of list) {
      t.append(h('tr', {}, h('th', { scope: 'row' }, dir), h('td', { class: 'mono' }, r.name),
        h('td', {}, r.shape ? shapeText(r.shape) : '?'), h('td', {}, r.dataType)));
    }
  }
  return t;
}
