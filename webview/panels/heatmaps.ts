// Overlap heatmaps as tables of buttons (keyboard- and screen-reader-friendly): subnetwork ×
// subnetwork (IoU or IoMin) and layer × pair. Clicking a cell asks the graph to highlight layers.
import type { OverlayView } from '../../src/shared/viewModel';
import { clear, h, num } from '../dom';
import { describeChoice, keptFraction, overlapMatrix, pairs, pairStats, patternCounts } from '../overlayMath';
import { subnetworkColour } from '../theme';
import type { OverlaySettings } from './overlayPanel';

export interface HeatmapEvents {
  onMetric(metric: 'iou' | 'ioMin'): void;
  /** Highlight these layer (node) ids; `label` says why, for the status line. */
  onHighlight(ids: string[], label: string): void;
}

const HEAT = '#0072B2';

function heatCell(value: number | null, text: string, label: string, onClick: () => void): HTMLTableCellElement {
  const btn = h('button',
    { class: 'heat', 'aria-label': `${label}: ${text}`, title: `${label}: ${text}`, onclick: onClick }, text);
  if (value !== null) {
    btn.style.backgroundColor =
      `color-mix(in srgb, ${HEAT} ${Math.round(Math.max(0, Math.min(1, value)) * 100)}%, transparent)`;
    if (value > 0.55) btn.classList.add('dark-cell');
  } else btn.classList.add('empty');
  return h('td', {}, btn);
}

export function renderHeatmaps(root: HTMLElement, overlay: OverlayView | null, s: OverlaySettings | null,
  events: HeatmapEvents): void {
  clear(root);
  if (!overlay || !s) {
    root.append(
      h('p', { class: 'muted' }, 'Overlap heatmaps appear when a run with at least two subnetworks is shown.'));
    return;
  }
  const metricName = s.metric === 'iou' ? 'IoU' : 'IoMin';
  const group = h('vscode-radio-group', { id: 'metric', 'aria-label': 'Overlap measure' });
  for (const [value, label] of [['iou', 'IoU (intersection / union)'],
    ['ioMin', 'IoMin (intersection / smaller)']] as const) {
    const r = h('vscode-radio', { name: 'metric', value, label, checked: s.metric === value, 'data-metric': value });
    r.addEventListener('change', () => events.onMetric(value));
    group.append(r);
  }
  root.append(group,
    h('p', { class: 'muted' }, `Masks: ${describeChoice(overlay, s.choice)}. Diagonal: stability across seeds.`));

  const subs = overlay.subnetworks;
  const names = subs.map((x) => x.label);
  const m = overlapMatrix(overlay, s.choice, s.metric);
  const table = h('table', { class: 'heatmap', id: 'overlap-matrix' },
    h('caption', {}, `Subnetwork × subnetwork overlap (${metricName})`));
  table.append(
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), ...subs.map((x) => h('th', { scope: 'col' }, x.label)))));
  const body = h('tbody');
  subs.forEach((a, i) => {
    const row = h('tr', {}, h('th', { scope: 'row' }, a.label));
    subs.forEach((_, j) => {
      const v = m[i]![j]!;
      row.append(heatCell(v, num(v, 2), `${names[i]} vs ${names[j]} ${metricName}`, () => {
        const ids = Object.entries(overlay.nodes).filter(([, node]) => {
          const c = patternCounts(node, s.choice);
          return i === j ? keptFraction(c, node.total, i) > 0 : pairStats(c, i, j).intersection > 0;
        }).map(([id]) => id);
        events.onHighlight(ids,
          i === j ? `layers kept by ${names[i]}` : `layers shared by ${names[i]} and ${names[j]}`);
      }));
    });
    body.append(row);
  });
  table.append(body);
  root.append(table);

  const ps = pairs(subs.length);
  if (ps.length === 0) return;
  const layers = Object.entries(overlay.nodes);
  const lt = h('table', { class: 'heatmap', id: 'layer-matrix' },
    h('caption', {}, `Layer × pair overlap (${metricName})`));
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Layer'));
  for (const [i, j] of ps) {
    const th = h('th', { scope: 'col' }, swatch2(subs[i]!.color, subs[j]!.color), `${names[i]} / ${names[j]}`);
    head.append(th);
  }
  lt.append(h('thead', {}, head));
  const lb = h('tbody');
  for (const [id, node] of layers) {
    const c = patternCounts(node, s.choice);
    const row = h('tr', {}, h('th', { scope: 'row' }, h('button',
      { class: 'link', title: id, onclick: () => events.onHighlight([id], `layer ${id}`) }, shortName(id))));
    for (const [i, j] of ps) {
      const v = pairStats(c, i, j)[s.metric];
      row.append(heatCell(v, num(v, 2), `${shortName(id)}, ${names[i]} vs ${names[j]} ${metricName}`, () =>
        events.onHighlight([id], `layer ${id}`)));
    }
    lb.append(row);
  }
  lt.append(lb);
  root.append(lt);
}

function swatch2(a: number, b: number): HTMLElement {
  const s1 = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  s1.style.backgroundColor = subnetworkColour(a);
  const s2 = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  s2.style.backgroundColor = subnetworkColour(b);
  return h('span', { class: 'swatch-pair' }, s1, s2);
}

export function shortName(id: string): string {
  return id.length > 32 ? '…' + id.slice(-31) : id;
}
