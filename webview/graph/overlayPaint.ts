// Overlay paint of nodes: one vertical band per shown subnetwork, mixed into the node fill by its amount.
import type cytoscape from 'cytoscape';
import { mix } from './colors';

/** Overlay paint of one node: one band per visible subnetwork (equal widths), opacity = amount. */
export interface NodePaint {
  slices: { color: string; amount: number }[];
  /** Outline colour and width for nodes in an intersection; omitted otherwise. */
  ring?: { color: string; width: number };
}

const GRADIENT_PROPS =
  'background-fill background-gradient-direction background-gradient-stop-colors background-gradient-stop-positions';

/**
 * Bands rather than a pie: a pie fills only the circle inscribed in a wide node. Applied as
 * per-element style bypasses, re-applied after theme changes because the mix depends on the node fill.
 */
export function applyPaint(
  cy: cytoscape.Core,
  target: cytoscape.NodeCollection,
  paint: Map<string, NodePaint>,
  nodeFill: string,
): void {
  cy.batch(() => {
    target.forEach((node) => {
      const p = paint.get(node.id());
      if (!p || p.slices.length === 0) {
        if (node.hasClass('ov')) {
          node.removeStyle(GRADIENT_PROPS);
          node.removeClass('ov');
          node.data({ paint: null });
        }
      } else {
        const colors: string[] = [];
        const stops: string[] = [];
        const n = p.slices.length;
        p.slices.forEach((sl, k) => {
          const c = mix(sl.color, nodeFill, sl.amount);
          colors.push(c, c);
          stops.push(`${(k * 100) / n}%`, `${((k + 1) * 100) / n}%`);
        });
        node.style({
          'background-fill': 'linear-gradient',
          'background-gradient-direction': 'to-right',
          'background-gradient-stop-colors': colors.join(' '),
          'background-gradient-stop-positions': stops.join(' '),
        });
        node.data({ paint: p.slices.map((sl) => sl.color.toLowerCase()).join(' ') });
        node.addClass('ov');
      }
      if (p?.ring) {
        node.data({ rc: p.ring.color, rw: p.ring.width });
        node.addClass('ring');
      } else if (node.hasClass('ring')) node.removeClass('ring');
    });
  });
}
