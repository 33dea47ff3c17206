// Colour arithmetic for overlay paint: cytoscape cannot blend, so bands are pre-mixed into the node fill.

/** `color` mixed into `base` by `amount` in [0, 1] (hex or rgb() inputs), as #rrggbb. */
export function mix(color: string, base: string, amount: number): string {
  const a = rgb(color);
  const b = rgb(base);
  const t = Math.max(0, Math.min(1, amount));
  return '#' + a.map((v, i) => Math.round(v * t + b[i]! * (1 - t)).toString(16).padStart(2, '0')).join('');
}

function rgb(c: string): [number, number, number] {
  const s = c.trim();
  if (s.startsWith('#')) {
    const hex = s.length === 4 ? s.slice(1).split('').map((x) => x + x).join('') : s.slice(1, 7);
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) || 0) as [number, number, number];
  }
  const m = s.match(/\d+(\.\d+)?/g);
  return m && m.length >= 3 ? [Number(m[0]), Number(m[1]), Number(m[2])] : [128, 128, 128];
}
