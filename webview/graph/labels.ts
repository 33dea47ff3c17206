// Text drawn on and about layer-graph nodes: node labels, shapes, and the screen-reader description.
import type { LayerNode } from '../../src/shared/viewModel';

export const LINE_HEIGHT = 15;

/** The lines a node box shows: its name (unless it is just the op type) and op type with the weight shape. */
export function nodeLines(n: LayerNode): string[] {
  if (n.opType === 'Input' || n.opType === 'Output') {
    const shape = n.outputs[0]?.shape ?? n.inputs[0]?.shape;
    return [truncate(n.label, 28), `${n.opType}${shape ? ' ' + shapeText(shape) : ''}`];
  }
  const first = n.parameters.find((p) => p.maskable) ?? n.parameters[0];
  const second = first ? `${n.opType} ${shapeText(first.shape)}` : n.opType;
  return n.label === n.opType ? [second] : [truncate(n.label, 28), second];
}

export function groupLines(label: string, nodeCount: number): string[] {
  return [truncate(label, 28), `${nodeCount} ops`];
}

export function shapeText(shape: (number | string | null)[]): string {
  return shape.map((d) => (d === null ? '?' : String(d))).join('×') || 'scalar';
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}
