// The cytoscape stylesheet from the VS Code theme (cytoscape cannot read CSS variables).
import type cytoscape from 'cytoscape';
import type { Theme } from '../theme';

/** Graphs with more edges than this draw straight edges: bezier routing costs too much there. */
const BEZIER_EDGE_LIMIT = 600;

export function graphStylesheet(t: Theme, edgeCount: number): cytoscape.StylesheetJson {
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
    {
      selector: 'node.scope.collapsed',
      style: { 'border-style': 'double', 'border-width': 4, color: t.foreground, 'font-size': 12 },
    },
    { selector: 'node.ring',
      style: { 'border-color': 'data(rc)', 'border-width': 'data(rw)', 'border-style': 'solid' } },
    {
      selector: 'edge',
      style: {
        width: hc ? 2 : 1.2,
        'line-color': t.edge,
        'target-arrow-color': t.edge,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8,
        'curve-style': edgeCount > BEZIER_EDGE_LIMIT ? 'straight' : 'bezier',
        'z-index-compare': 'manual',
        'z-index': 50,
      },
    },
    { selector: 'edge.meta', style: { 'line-style': 'dashed', width: hc ? 3 : 2 } },
    { selector: '.faded', style: { opacity: 0.22 } },
    { selector: 'node.hl',
      style: { 'border-color': t.highlight, 'border-width': 4, 'border-style': 'solid', opacity: 1 } },
    { selector: 'node.match', style: { 'border-color': t.highlight, 'border-width': 3, 'border-style': 'solid' } },
    {
      selector: 'node:selected',
      style: {
        'overlay-color': t.focus,
        'overlay-opacity': 0.25,
        'overlay-padding': 4,
        'border-color': t.focus,
        'border-width': 3,
      },
    },
  ] as unknown as cytoscape.StylesheetJson;
}
