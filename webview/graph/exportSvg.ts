// A self-contained SVG of what the canvas shows: scope boxes, edges, nodes with overlay bands, labels.
import type cytoscape from 'cytoscape';
import type { Theme } from '../theme';
import { mix } from './colors';
import { LINE_HEIGHT } from './labels';
import type { NodePaint } from './overlayPaint';

export function exportSvg(cy: cytoscape.Core, t: Theme, paint: Map<string, NodePaint>): string {
  const bb = cy.elements().boundingBox({});
  const pad = 20;
  const out: string[] = [];
  const x0 = bb.x1 - pad;
  const y0 = bb.y1 - pad;
  const w = bb.w + 2 * pad;
  const h = bb.h + 2 * pad;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${f(x0)} ${f(y0)} ${f(w)} ${f(h)}" `
    + `width="${f(w)}" height="${f(h)}" font-family="${esc(t.fontFamily)}" font-size="12">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
    + `orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${esc(t.edge)}"/></marker></defs>`);
  out.push(`<rect x="${f(x0)}" y="${f(y0)}" width="${f(w)}" height="${f(h)}" fill="${esc(t.background)}"/>`);
  const scopes = cy.nodes('.box').sort((a, b) => Number(a.data('z')) - Number(b.data('z')));
  scopes.forEach((n) => {
    const b = n.boundingBox({ includeLabels: false });
    out.push(`<g class="scope"><rect x="${f(b.x1)}" y="${f(b.y1)}" width="${f(b.w)}" height="${f(b.h)}" rx="6" `
      + `fill="${esc(t.groupFill)}" fill-opacity="0.5" stroke="${esc(t.border)}" stroke-dasharray="4 3"/>`
      + `<text x="${f(b.x1 + b.w / 2)}" y="${f(b.y1 - 4)}" text-anchor="middle" fill="${esc(t.muted)}" font-size="11">`
      + `${esc(String(n.data('label')))}</text></g>`);
  });
  cy.edges().forEach((e) => {
    const s = e.sourceEndpoint();
    const d = e.targetEndpoint();
    const dash = e.hasClass('meta') ? ' stroke-dasharray="5 3"' : '';
    out.push(`<line x1="${f(s.x)}" y1="${f(s.y)}" x2="${f(d.x)}" y2="${f(d.y)}" stroke="${esc(t.edge)}" `
      + `stroke-width="1.2"${dash} marker-end="url(#arrow)"/>`);
  });
  cy.nodes().filter((n) => !n.hasClass('box')).forEach((n) => {
    const p = n.position();
    const nw = n.width();
    const nh = n.height();
    const x = p.x - nw / 2;
    const y = p.y - nh / 2;
    const np = paint.get(n.id());
    const stroke = np?.ring ? np.ring.color : t.border;
    const sw = np?.ring ? np.ring.width : n.hasClass('params') ? 2 : 1;
    const box = `x="${f(x)}" y="${f(y)}" width="${f(nw)}" height="${f(nh)}" rx="6"`;
    out.push(`<g class="node" data-id="${esc(n.id())}"><rect ${box} fill="${esc(t.nodeFill)}"/>`);
    if (np && np.slices.length) {
      const clip = `clip-${out.length}`;
      out.push(`<clipPath id="${clip}"><rect ${box}/></clipPath><g clip-path="url(#${clip})">`);
      const bands = np.slices.length;
      np.slices.forEach((sl, k) => {
        out.push(`<rect x="${f(x + (k * nw) / bands)}" y="${f(y)}" width="${f(nw / bands)}" height="${f(nh)}" `
          + `fill="${esc(mix(sl.color, t.nodeFill, sl.amount))}"/>`);
      });
      out.push('</g>');
    }
    out.push(`<rect ${box} fill="none" stroke="${esc(stroke)}" stroke-width="${f(sw)}"/>`);
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

function f(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '0';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
