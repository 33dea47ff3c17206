// A static, self-contained report.html made from results.json (and run.json if given): verdicts and
// scores with 95 % intervals, accuracy matrices (mask × test set), controls and the overlap heatmap,
// drawn as inline SVG. No scripts, no external resources.
import type { Condition, ResultsFile, RunInfo, ScoreStats } from '../../shared/results';
import { formatNumber, formatPercent, formatPValue } from './format';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const ci = (s: ScoreStats) => (s.ci95 ? `[${formatNumber(s.ci95[0])}, ${formatNumber(s.ci95[1])}]` : '–');

/** Colour for a value in [0, 1] (white → blue). */
function shade(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '#eeeeee';
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 - t * (255 - 33));
  const g = Math.round(255 - t * (255 - 102));
  const b = Math.round(255 - t * (255 - 172));
  return `rgb(${r},${g},${b})`;
}

/** A labelled heatmap: rows × columns of values in [0, 1] with the value printed in each cell. */
function heatmap(title: string, rows: string[], cols: string[],
  value: (r: number, c: number) => number | null): string {
  const cw = 70, ch = 28, left = 110, top = 40;
  const w = left + cols.length * cw + 10, h = top + rows.length * ch + 10;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`;
  svg += `<text x="0" y="14" font-weight="bold">${esc(title)}</text>`;
  cols.forEach((c, j) => {
    svg += `<text x="${left + j * cw + cw / 2}" y="${top - 8}" text-anchor="middle">${esc(c)}</text>`;
  });
  rows.forEach((r, i) => {
    svg += `<text x="${left - 6}" y="${top + i * ch + ch / 2 + 4}" text-anchor="end">${esc(r)}</text>`;
    cols.forEach((_, j) => {
      const v = value(i, j);
      svg += `<rect x="${left + j * cw}" y="${top + i * ch}" width="${cw - 2}" height="${ch - 2}" fill="${shade(v)}">`
        + `<title>${esc(r)} × ${esc(cols[j])}: ${formatNumber(v)}</title></rect>`;
      svg += `<text x="${left + j * cw + cw / 2}" y="${top + i * ch + ch / 2 + 4}" text-anchor="middle" `
        + `fill="${v !== null && v > 0.6 ? '#fff' : '#000'}">${formatNumber(v, 2)}</text>`;
    });
  });
  return svg + '</svg>';
}

/** Dots with 95 % interval whiskers on a shared axis with a line at 0. */
function intervalChart(title: string, items: { label: string; stats: ScoreStats }[]): string {
  const vals = items.flatMap((i) => [i.stats.mean, ...(i.stats.ci95 ?? [])])
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(-0.1, ...vals), hi = Math.max(0.1, ...vals);
  const left = 200, width = 360, rowH = 24, top = 30;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * width;
  const h = top + items.length * rowH + 24;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${h}" role="img" `
    + `aria-label="${esc(title)}">`;
  svg += `<text x="0" y="14" font-weight="bold">${esc(title)}</text>`;
  svg += `<line x1="${x(0)}" y1="${top - 6}" x2="${x(0)}" y2="${h - 20}" stroke="#888" stroke-dasharray="3,3"/>`;
  svg += `<text x="${x(lo)}" y="${h - 6}" font-size="11">${formatNumber(lo, 2)}</text>`
    + `<text x="${x(hi)}" y="${h - 6}" font-size="11" text-anchor="end">${formatNumber(hi, 2)}</text>`
    + `<text x="${x(0)}" y="${h - 6}" font-size="11" text-anchor="middle">0</text>`;
  items.forEach((it, i) => {
    const y = top + i * rowH + rowH / 2;
    svg += `<text x="${left - 8}" y="${y + 4}" text-anchor="end">${esc(it.label)}</text>`;
    if (it.stats.ci95) svg += `<line x1="${x(it.stats.ci95[0])}" y1="${y}" x2="${x(it.stats.ci95[1])}" y2="${y}" `
      + `stroke="#333" stroke-width="2"/>`;
    if (it.stats.mean !== null) svg += `<circle cx="${x(it.stats.mean)}" cy="${y}" r="5" fill="#2166ac">`
      + `<title>${esc(it.label)}: ${formatNumber(it.stats.mean)} ${ci(it.stats)}</title></circle>`;
  });
  return svg + '</svg>';
}

function meanAcc(r: ResultsFile, sub: string, cond: Condition, test: string,
  variant: 'trained' | 'random-init' = 'trained'): number | null {
  const seeds = variant === 'trained' ? r.subroutines[sub]?.seeds : r.controls.randomInit?.subroutines[sub]?.seeds;
  const v = (seeds ?? []).map((s) => s.accuracy[cond][test]).filter((x): x is number => typeof x === 'number');
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

export function renderReport(results: ResultsFile, run?: RunInfo): string {
  const names = results.subroutineNames;
  const parts: string[] = [];
  parts.push(`<h1>Subnetwork Lens — run ${esc(results.runId)}</h1>`);
  if (run) {
    const error = run.error ? ` (${esc(run.error.name)}: ${esc(run.error.message)})` : '';
    parts.push(`<p>Model <code>${esc(run.model)}</code>, spec <code>${esc(run.specPath)}</code>, `
      + `seeds ${esc(run.seeds.join(', '))}, status <b>${esc(run.status)}</b>${error}. `
      + `Median mask step ${formatNumber(run.timings.maskStepMs, 1)} ms; `
      + `total ${formatNumber(run.timings.totalMs / 1000, 1)} s. `
      + `Versions: subnetwork-lens ${esc(run.versions.subnetworkLens)}, onnxruntime ${esc(run.versions.onnxruntime)}, `
      + `node ${esc(run.versions.node)}.</p>`);
  }
  for (const notice of run?.notices ?? []) parts.push(`<p class="warn">Note: ${esc(notice)}.</p>`);
  if (results.partial) parts.push('<p class="warn">Partial results: some subroutine × seed runs are missing.</p>');
  parts.push(`<p>Chance level ${formatNumber(results.chance)}; ablation mode <b>${esc(results.ablationMode)}</b>.</p>`);

  const verdictColumns = [
    'Subroutine', 'Verdict', 'Subnetwork score', '95 % CI', 'Ablation score', '95 % CI', 'Kept', 'Specificity p',
    'Holm-adjusted p', 'Seeds', 'Reason',
  ];
  parts.push(`<h2>Verdicts</h2><table><tr>${verdictColumns.map((c) => `<th>${c}</th>`).join('')}</tr>`);
  for (const n of names) {
    const s = results.subroutines[n];
    if (!s) { parts.push(`<tr><td>${esc(n)}</td><td colspan="10">not run yet</td></tr>`); continue; }
    const cells = [
      formatNumber(s.subnetworkScore), ci(s.stats.subnetworkScore),
      formatNumber(s.ablationScore), ci(s.stats.ablationScore),
      formatPercent(s.stats.keptFraction.mean), formatPValue(s.randomAblation.p),
      formatPValue(s.randomAblation.pAdjusted), s.seeds.length,
    ];
    parts.push(`<tr><td>${esc(n)}</td><td class="${esc(s.verdict)}">${esc(s.verdict)}</td>`
      + `${cells.map((c) => `<td>${c}</td>`).join('')}<td>${esc(s.verdictReason)}</td></tr>`);
  }
  parts.push('</table>');

  const items = names.flatMap((n) => {
    const s = results.subroutines[n];
    const c = results.controls.randomInit?.subroutines[n];
    return [
      ...(s ? [{ label: `${n} subnetwork`, stats: s.stats.subnetworkScore },
        { label: `${n} ablation`, stats: s.stats.ablationScore }] : []),
      ...(c ? [{ label: `${n} random-init subnetwork`, stats: c.stats.subnetworkScore },
        { label: `${n} random-init ablation`, stats: c.stats.ablationScore }] : []),
    ];
  });
  parts.push('<h2>Scores (mean and 95 % interval over seeds)</h2>', intervalChart('Scores', items));

  parts.push(
    '<h2>Accuracy matrices (mean over seeds; rows: mask of subroutine, columns: test set)</h2><div class="row">');
  for (const cond of ['full', 'subnetwork', 'ablation'] as const) {
    parts.push(
      heatmap(cond, names, results.testSets, (i, j) => meanAcc(results, names[i]!, cond, results.testSets[j]!)));
  }
  parts.push('</div>');

  parts.push('<h2>Controls</h2>');
  if (results.controls.randomInit) {
    parts.push('<h3>Random-init model</h3><div class="row">');
    for (const cond of ['subnetwork', 'ablation'] as const) {
      parts.push(heatmap(`random-init ${cond}`, names, results.testSets, (i, j) =>
        meanAcc(results, names[i]!, cond, results.testSets[j]!, 'random-init')));
    }
    parts.push('</div>');
  }
  parts.push('<h3>Size-matched random ablations</h3>',
    '<p>Specificity: per seed, the ablation score of the learned ablation ranked among the ablation scores ',
    'of the draws (floored at chance alike), p = (1 + #draws ≤ observed) / (1 + N); ',
    'seeds combined by Fisher’s method. ',
    'Damage (own-test accuracy) is reported only.</p>',
    '<table><tr><th>Subroutine</th><th>Draws</th><th>Ablation score</th><th>Null score mean</th>',
    '<th>Null 95 % range</th>',
    '<th>Specificity p</th><th>Own-test accuracy after ablation</th><th>Null mean</th><th>Damage p</th></tr>');
  for (const n of names) {
    const ra = results.subroutines[n]?.randomAblation;
    if (!ra) continue;
    const range = ra.nullScoreRange
      ? `[${formatNumber(ra.nullScoreRange[0])}, ${formatNumber(ra.nullScoreRange[1])}]` : '—';
    const nullCells = [
      ra.draws, formatNumber(ra.observedScoreMean), formatNumber(ra.nullScoreMean), range, formatPValue(ra.p),
      formatNumber(ra.observedMean), formatNumber(ra.nullMean), formatPValue(ra.damageP),
    ];
    parts.push(`<tr><td>${esc(n)}</td>${nullCells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
  }
  parts.push('</table>');
  const modes = Object.entries(results.controls.ablationModes).filter(([, v]) => v && Object.keys(v).length);
  if (modes.length) {
    parts.push(
      '<h3>Ablation modes</h3><table><tr><th>Mode</th><th>Subroutine</th><th>Ablation score</th><th>95 % CI</th></tr>');
    for (const [mode, bySub] of modes) {
      for (const [n, r] of Object.entries(bySub!)) {
        parts.push(`<tr><td>${esc(mode)}</td><td>${esc(n)}</td>`
          + `<td>${formatNumber(r.stats.mean)}</td><td>${ci(r.stats)}</td></tr>`);
      }
    }
    parts.push('</table>');
  }

  const m = results.overlap.matrix;
  parts.push('<h2>Overlap</h2><p>Off-diagonal: subnetworks of two subroutines with the same seed; '
    + 'diagonal: seeds of one subroutine (stability). Means over pairs.</p><div class="row">');
  parts.push(heatmap('IoU', m.names, m.names, (i, j) => m.iou[i]?.[j] ?? null));
  parts.push(heatmap('IoMin', m.names, m.names, (i, j) => m.ioMin[i]?.[j] ?? null));
  parts.push('</div>');
  const layerNames = Object.keys(m.layers);
  const pairCols: [number, number][] = [];
  for (let i = 0; i < m.names.length; i++) for (let j = i; j < m.names.length; j++) pairCols.push([i, j]);
  if (layerNames.length) {
    // Renamed or transposed exports show the PyTorch parameter (masks stay keyed by initializer name).
    const shown = layerNames.map((n) => run?.parameters?.[n] ?? n);
    const pairNames = pairCols.map(([i, j]) => (i === j ? `${m.names[i]} (seeds)` : `${m.names[i]}–${m.names[j]}`));
    const iou = (r: number, c: number) => m.layers[layerNames[r]!]!.iou[pairCols[c]![0]]![pairCols[c]![1]] ?? null;
    parts.push(heatmap('IoU per masked initializer', shown, pairNames, iou));
  }

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Subnetwork Lens — ${esc(results.runId)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
svg { font: 12px system-ui, sans-serif; margin: 0 2em 1em 0; }
.row { display: flex; flex-wrap: wrap; }
.compositional { color: #1a7f37; font-weight: bold; } .not-compositional { color: #b42318; font-weight: bold; }
.inconclusive { color: #9a6700; font-weight: bold; } .uninformative { color: #57606a; font-weight: bold; }
.warn { color: #b42318; }
</style></head><body>
${parts.join('\n')}
</body></html>
`;
}
