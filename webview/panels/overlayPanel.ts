// Overlay controls (subnetwork toggles, seed choice, display mode) and the node paint they imply.
import type { OverlayView } from '../../src/shared/viewModel';
import { clear, h, pct, swatch } from '../dom';
import type { NodePaint } from '../graph/overlayPaint';
import { describeChoice, exclusiveFraction, intersectionFraction, keptFraction, patternCounts,
  type SeedChoice } from '../overlayMath';
import { subnetworkColour, type Theme } from '../theme';

export type DisplayMode = 'kept' | 'intersection' | 'exclusive';

export interface OverlaySettings {
  /** Indices of the subnetworks shown. */
  visible: number[];
  choice: SeedChoice;
  display: DisplayMode;
  metric: 'iou' | 'ioMin';
}

export function defaultSettings(overlay: OverlayView): OverlaySettings {
  const majority = Math.max(1, Math.ceil(overlay.seeds.length / 2));
  return { visible: overlay.subnetworks.map((_, i) => i), choice: { kind: 'frequency', atLeast: majority },
    display: 'kept', metric: 'iou' };
}

export function bits(visible: number[]): number {
  return visible.reduce((b, i) => b | (1 << i), 0);
}

/** Per node: one slice per shown subnetwork; opacity is the value relative to the largest node's value. */
export function computePaint(overlay: OverlayView, s: OverlaySettings, theme: Theme): Map<string, NodePaint> {
  const visible = [...s.visible].sort((a, b) => a - b);
  const vb = bits(visible);
  const values = new Map<string, number[]>();
  const max = new Array<number>(overlay.subnetworks.length).fill(0);
  let maxInter = 0;
  const inter = new Map<string, number>();
  for (const [id, node] of Object.entries(overlay.nodes)) {
    const counts = patternCounts(node, s.choice);
    const v = visible.map((i) =>
      (s.display === 'exclusive' ? exclusiveFraction(counts, node.total, i, vb) : keptFraction(counts, node.total, i)));
    values.set(id, v);
    v.forEach((x, k) => (max[visible[k]!] = Math.max(max[visible[k]!]!, x)));
    const x = intersectionFraction(counts, node.total, vb);
    inter.set(id, x);
    maxInter = Math.max(maxInter, x);
  }
  const scale = (x: number, m: number) => (x <= 0 || m <= 0 ? 0 : Math.max(0.12, x / m));
  const paint = new Map<string, NodePaint>();
  for (const [id, v] of values) {
    const x = inter.get(id) ?? 0;
    if (s.display === 'intersection') {
      paint.set(id, {
        slices: visible.map((i) =>
          ({ color: subnetworkColour(overlay.subnetworks[i]!.color), amount: scale(x, maxInter) })),
        ring: x > 0 ? { color: theme.foreground, width: 4 } : undefined,
      });
    } else {
      paint.set(id, {
        slices: visible.map((i, k) =>
          ({ color: subnetworkColour(overlay.subnetworks[i]!.color), amount: scale(v[k]!, max[i]!) })),
        ring: s.display === 'kept' && x > 0 && visible.length > 1 ? { color: theme.foreground, width: 3 } : undefined,
      });
    }
  }
  return paint;
}

export function renderOverlayControls(root: HTMLElement, overlay: OverlayView | null, s: OverlaySettings | null,
  onChange: (s: OverlaySettings) => void): void {
  clear(root);
  if (!overlay || !s) {
    root.append(h('p', { class: 'muted' }, 'No run selected. Run “Find subnetworks”, then open a run from the ' +
      'Subnetwork Lens view to see its subnetworks here.'));
    return;
  }
  root.append(h('h3', {}, 'Subnetworks', h('span', { class: 'muted' }, ` · run ${overlay.runId}`)));
  const list = h('div', { class: 'subnet-list', role: 'group', 'aria-label': 'Subnetworks shown on the graph' });
  overlay.subnetworks.forEach((sub, i) => {
    const box = h('vscode-checkbox', { 'data-subnetwork': sub.id, label: sub.label,
      checked: s.visible.includes(i) }) as HTMLElement & { checked: boolean };
    box.addEventListener('change', () => {
      const visible = new Set(s.visible);
      if (box.checked) visible.add(i);
      else visible.delete(i);
      onChange({ ...s, visible: [...visible].sort((a, b) => a - b) });
    });
    list.append(h('div', { class: 'subnet-row' }, swatch(subnetworkColour(sub.color), sub.label), box,
      h('span', { class: 'muted' }, ` kept ${pct(sub.keptFraction, 2)}`)));
  });
  root.append(list);

  const S = overlay.seeds.length;
  const seedSelect = h('vscode-single-select',
    { id: 'seed-choice', 'aria-label': 'Seeds' }) as HTMLElement & { value: string };
  const options: [string, string][] = [];
  for (let k = 1; k <= S; k++)
    options.push([`f${k}`, `Inclusion frequency: ${describeChoice(overlay, { kind: 'frequency', atLeast: k })}`]);
  overlay.seeds.forEach((seed, i) => options.push([`s${i}`, `One seed: ${seed}`]));
  const current = s.choice.kind === 'seed' ? `s${s.choice.index}` : `f${s.choice.atLeast}`;
  for (const [value, label] of options)
    seedSelect.append(h('vscode-option', { value, selected: value === current }, label));
  seedSelect.addEventListener('change', () => {
    const v = seedSelect.value;
    const choice: SeedChoice = v.startsWith('s') ? { kind: 'seed', index: Number(v.slice(1)) }
      : { kind: 'frequency', atLeast: Number(v.slice(1)) };
    onChange({ ...s, choice });
  });

  const displaySelect = h('vscode-single-select',
    { id: 'display-mode', 'aria-label': 'Show' }) as HTMLElement & { value: string };
  const modes: [DisplayMode, string][] = [['kept', 'Kept fraction per subnetwork'],
    ['intersection', 'Intersection of the shown subnetworks'], ['exclusive', 'Exclusive parts (kept by one only)']];
  for (const [value, label] of modes)
    displaySelect.append(h('vscode-option', { value, selected: value === s.display }, label));
  displaySelect.addEventListener('change', () => onChange({ ...s, display: displaySelect.value as DisplayMode }));

  root.append(
    h('vscode-form-group', { variant: 'vertical' }, h('vscode-label', { for: 'seed-choice' }, 'Seeds'), seedSelect),
    h('vscode-form-group', { variant: 'vertical' }, h('vscode-label', { for: 'display-mode' }, 'Show'), displaySelect),
    h('p', { class: 'muted legend' },
      s.display === 'intersection'
        ? 'Fill: share of the node’s masked weights kept by every shown subnetwork (relative to the largest); ' +
          'thick outline: non-empty intersection.'
        : s.display === 'exclusive'
          ? 'Each slice: share of the node’s masked weights kept by that subnetwork and no other shown one ' +
            '(relative to the largest node).'
          : 'Each slice: the subnetwork’s kept fraction in the node, relative to its largest node value; ' +
            'outline: weights shared by the shown subnetworks.'),
  );
  if (overlay.unmatched.length) {
    const listed = `${overlay.unmatched.slice(0, 5).join(', ')}${overlay.unmatched.length > 5 ? '…' : ''}`;
    root.append(h('p', { class: 'warning', role: 'note' },
      `${overlay.unmatched.length} masked tensors are not in this graph: ${listed}`));
  }
}
