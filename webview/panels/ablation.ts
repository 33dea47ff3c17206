// The ablation matrix (mask i × test set j, subnetwork and ablation conditions) with scores,
// verdicts and controls, as plain tables.
import type { AblationView, OverlayView, ScoreCell, SubroutineScoreView } from '../../src/shared/viewModel';
import { clear, h, num, pct } from '../dom';

const GOOD = '#009E73';

export function renderAblation(root: HTMLElement, overlay: OverlayView | null): void {
  clear(root);
  const a: AblationView | null | undefined = overlay?.ablation;
  if (!a) {
    root.append(h('p', { class: 'muted' }, 'Ablation results appear when a run with results.json is shown.'));
    return;
  }
  root.append(h('p', { class: 'muted' }, `Chance ${pct(a.chance, 0)} · ablation mode ` +
    `${a.ablationMode}${a.partial ? ' · partial run: some seeds are missing' : ''}`));
  const t = h('table', { class: 'matrix', id: 'ablation-matrix' }, h('caption', {}, 'Accuracy: mask × test set'));
  t.append(h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Condition'),
    ...a.testSets.map((x) => h('th', { scope: 'col' }, `test(${x})`)))));
  const body = h('tbody');
  for (const row of a.rows) {
    const name = row.condition === 'full' ? 'Intact model'
      : row.condition === 'subnetwork' ? `Subnetwork ${row.mask} (kept only)`
      : `Ablation ${row.mask} (removed)`;
    const tr = h('tr', { class: `cond-${row.condition}` }, h('th', { scope: 'row' }, name));
    for (const ts of a.testSets) {
      const c = row.accuracy[ts];
      const mean = c?.mean ?? null;
      const td = h('td', { class: row.mask === ts ? 'own' : null,
        title: c?.bySeed.length ? `per seed: ${c.bySeed.map((x) => pct(x)).join(', ')}` : null },
        pct(mean),
        c?.sd !== null && c?.sd !== undefined ? h('span', { class: 'muted' }, ` ±${(c.sd * 100).toFixed(1)}`) : null);
      if (mean !== null) {
        const above = Math.max(0, Math.min(1, (mean - a.chance) / Math.max(1e-9, 1 - a.chance)));
        td.style.backgroundColor = `color-mix(in srgb, ${GOOD} ${Math.round(above * 55)}%, transparent)`;
      }
      tr.append(td);
    }
    body.append(tr);
  }
  t.append(body);
  root.append(t);

  const s = h('table', { class: 'matrix', id: 'scores' },
    h('caption', {}, 'Scores, verdicts and controls (mean over seeds, 95 % CI, p)'));
  s.append(h('thead', {}, h('tr', {}, ...['Subroutine', 'Subnetwork score', 'Ablation score', 'Verdict', 'Kept',
    'Random ablation', 'Random-init control', 'Other modes'].map((x) => h('th', { scope: 'col' }, x)))));
  const sb = h('tbody');
  for (const r of a.scores) {
    const modes = Object.entries(r.ablationModes).map(([m, v]) => `${m}: ${num(v, 3)}`).join(', ') || '–';
    sb.append(h('tr', {},
      h('th', { scope: 'row' }, r.subroutine),
      h('td', {}, score(r.subnetworkScore)),
      h('td', {}, score(r.ablationScore)),
      h('td', { title: r.verdictReason },
        h('vscode-badge',
          { class: `verdict ${r.verdict}`, variant: r.verdict === 'compositional' ? 'counter' : 'default' }, r.verdict),
        h('div', { class: 'muted small' }, r.verdictReason)),
      h('td', {}, pct(r.keptFraction.mean, 2)),
      h('td', {}, randomAblationText(r.randomAblation)),
      h('td', {}, r.randomInit
        ? `sub ${num(r.randomInit.subnetworkScore, 3)}, abl ${num(r.randomInit.ablationScore, 3)}` : 'off'),
      h('td', {}, modes),
    ));
  }
  s.append(sb);
  root.append(s);
}

function randomAblationText(ra: SubroutineScoreView['randomAblation']): string {
  if (!ra.draws) return '–';
  const p = `p ${num(ra.p, 3)}, Holm ${num(ra.pAdjusted, 3)}`;
  const specificity = `score ${num(ra.observedScore, 3)} vs null ${num(ra.nullScore, 3)} (${p})`;
  return `${specificity}; own accuracy ${pct(ra.observed)} vs ${pct(ra.nullMean)}; ${ra.draws} draws`;
}

function score(c: ScoreCell): string {
  const ci = c.ci95 ? ` [${num(c.ci95[0], 3)}, ${num(c.ci95[1], 3)}]` : '';
  const p = c.p !== null ? `, p ${num(c.p, 3)}` : '';
  return `${num(c.mean, 3)}${ci}${p} (n ${c.n})`;
}
