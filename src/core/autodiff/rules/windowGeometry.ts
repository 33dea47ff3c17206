// Geometry of sliding-window ops (Conv, pooling) on static spatial sizes, and the ConvTranspose
// parameters that map an output-sized gradient back onto the input exactly.
import { attrInt, attrInts, attrString, type Node } from '../../onnx/ir';
import type { GradContext } from '../types';
import { AutodiffError } from '../errors';

export interface WindowGeometry {
  spatial: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before / after each spatial axis (auto_pad resolved). */
  begin: number[];
  end: number[];
  /** Output spatial sizes (ceil_mode and "no window starts in the end padding" applied). */
  out: number[];
}

/** Resolves strides, dilations, pads (incl. auto_pad) and output sizes of a Conv/Pool node. */
export function windowGeometry(node: Node, spatial: number[], kernel: number[]): WindowGeometry {
  const n = spatial.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const eff = kernel.map((k, i) => (k - 1) * dilations[i]! + 1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let begin: number[];
  let end: number[];
  if (autoPad === 'NOTSET') {
    const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
    begin = pads.slice(0, n);
    end = pads.slice(n, 2 * n);
  } else if (autoPad === 'VALID') {
    begin = new Array<number>(n).fill(0);
    end = new Array<number>(n).fill(0);
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = spatial.map((h, i) => Math.max(0, (Math.ceil(h / strides[i]!) - 1) * strides[i]! + eff[i]! - h));
    const small = total.map((t) => Math.floor(t / 2));
    begin = autoPad === 'SAME_UPPER' ? small : total.map((t, i) => t - small[i]!);
    end = total.map((t, i) => t - begin[i]!);
  } else {
    throw new AutodiffError(
      `node '${node.name}' (${node.opType}): auto_pad '${autoPad}' is not an ONNX value`, node.name);
  }
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  const out = spatial.map((h, i) => {
    const span = h + begin[i]! + end[i]! - eff[i]!;
    let o = (ceil ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
    if (ceil && (o - 1) * strides[i]! >= h + begin[i]!) o -= 1;
    return o;
  });
  return { spatial, kernel, strides, dilations, begin, end, out };
}

/**
 * ConvTranspose pads and output_padding that give exactly the forward input's spatial size:
 * output_padding = H + pb + pe − Keff − S·(O−1) (which is (H+2P−K) mod S for a floor-mode window);
 * when that is negative (ceil mode), the end pad grows instead.
 */
export function adjointPads(g: WindowGeometry): { pads: number[]; outputPadding: number[] } {
  const extra = g.spatial.map((h, i) =>
    h + g.begin[i]! + g.end[i]! - ((g.kernel[i]! - 1) * g.dilations[i]! + 1) - g.strides[i]! * (g.out[i]! - 1));
  return {
    pads: [...g.begin, ...g.end.map((e, i) => (extra[i]! < 0 ? e - extra[i]! : e))],
    outputPadding: extra.map((x) => Math.max(0, x)),
  };
}

/** Static sizes of dims `from..` of a forward tensor; throws naming the node when any is unknown. */
export function staticDims(ctx: GradContext, name: string, node: Node, from = 0): number[] {
  const shape = ctx.shape(name);
  const dims = shape?.slice(from);
  if (!dims || dims.some((d) => typeof d !== 'number')) {
    throw new AutodiffError(
      `node '${node.name}' (${node.opType}): the gradient needs static sizes of '${name}' from axis ${from}; ` +
      `its shape is ${shape ? `[${shape.join(', ')}]` : 'unknown'}`, node.name, name);
  }
  return dims as number[];
}

/** Conv/pool windows: input position read by output position o at kernel offset k, or −1 in the padding. */
export function forwardWindowTable(g: WindowGeometry): number[] {
  return windowTable(g.out, g.kernel, (o, k, i) => {
    const p = o * g.strides[i]! - g.begin[i]! + k * g.dilations[i]!;
    return p >= 0 && p < g.spatial[i]! ? p : -1;
  }, g.spatial);
}

/**
 * Row-major table [positions × kernel offsets] of flat input indices (−1 = none), from a per-axis map
 * (position, offset, axis) → input coordinate or −1.
 */
export function windowTable(positions: number[], kernel: number[], at: (pos: number, k: number, axis: number) => number,
  spatial: number[]): number[] {
  const table: number[] = [];
  const iterate = (sizes: number[], visit: (idx: number[]) => void) => {
    const idx = sizes.map(() => 0);
    const total = sizes.reduce((a, s) => a * s, 1);
    for (let t = 0; t < total; t++) {
      visit(idx);
      for (let a = sizes.length - 1; a >= 0; a--) { if (++idx[a]! < sizes[a]!) break; idx[a] = 0; }
    }
  };
  iterate(positions, (o) => iterate(kernel, (k) => {
    let flat = 0;
    for (let i = 0; i < spatial.length; i++) {
      const p = at(o[i]!, k[i]!, i);
      if (p < 0) { flat = -1; break; }
      flat = flat * spatial[i]! + p;
    }
    table.push(flat);
  }));
  return table;
}
