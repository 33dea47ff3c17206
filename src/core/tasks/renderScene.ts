// Rasterises one CVR-style scene: a big outline shape (square or circle, 1 px thick) and one or two
// small filled shapes placed inside or outside it, touching it or not. Placement enumerates every
// position on the pixel grid that satisfies the requested relations and picks one uniformly, so the
// relations hold exactly on the rendered pixels (not just on the continuous geometry).

import type { Rng } from '../util/random';

/** Pixel value of the big outline. */
export const OUTLINE_VALUE = 1;
/** Pixel value of the small shapes (distinct from the outline, as CVR uses colour). */
export const SMALL_VALUE = 0.5;
/** Smallest image side the placement ranges are made for. */
export const MIN_IMAGE_SIZE = 20;

export interface SceneSpec {
  /** The small shapes lie in the region enclosed by the outline (else outside it). */
  inside: boolean;
  /**
   * Every small shape touches the outline: some pixel is 4-adjacent to an outline pixel. Without
   * contact no small pixel is even 8-adjacent to the outline (at least one background pixel between).
   */
  contact: boolean;
  /** Number of small shapes (1 or 2); two small shapes never touch each other (not even diagonally). */
  count: 1 | 2;
}

export class SceneError extends Error {
  override name = 'SceneError';
  constructor(message: string, readonly scene: SceneSpec, readonly size: number) {
    super(message);
  }
}

/** Pixel offsets [dx, dy] of the small shapes. */
const SMALL_SHAPES: [number, number][][] = [
  [[0, 0], [1, 0], [0, 1], [1, 1]], // 2×2 square
  [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1], [0, 2], [1, 2], [2, 2]], // 3×3 square
  [[1, 0], [0, 1], [1, 1], [2, 1], [1, 2]], // plus
  [[0, 0], [1, 0], [2, 0]], // horizontal bar
  [[0, 0], [0, 1], [0, 2]], // vertical bar
  [[0, 0], [1, 0], [0, 1]], // corner
];

const ATTEMPTS = 200;

/**
 * How much the nuisance factors vary. `full`: square or circle outline of random size anywhere in
 * the image, six small-shape kinds. `low`: a square outline of side ≈ 0.54·size near the centre
 * (±2 px), small shapes are 2×2 or 3×3 squares — the relations are the same, there is just less
 * else to be invariant to, which lets a small CNN learn the task in minutes on a CPU.
 */
export type SceneVariation = 'low' | 'full';

/** Renders a `size`×`size` single-channel image (row-major) satisfying `scene`. */
export function renderScene(scene: SceneSpec, size: number, rng: Rng, variation: SceneVariation = 'full'): Float32Array {
  if (!Number.isInteger(size) || size < MIN_IMAGE_SIZE) throw new SceneError(`image size ${size} is below the minimum ${MIN_IMAGE_SIZE}`, scene, size);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const outline = variation === 'low' ? drawCentredSquare(size, rng) : drawOutline(size, rng);
    const exterior = floodExterior(outline, size);
    const near8 = dilate(outline, size, true);
    const near4 = dilate(outline, size, false);
    const small = new Uint8Array(size * size);
    const blocked = new Uint8Array(size * size);
    let ok = true;
    for (let k = 0; k < scene.count && ok; k++) {
      const shape = rng.pick(variation === 'low' ? SMALL_SHAPES.slice(0, 2) : SMALL_SHAPES);
      const spots = candidatePositions(shape, size, scene, outline, exterior, near4, near8, blocked);
      if (spots.length === 0) {
        ok = false;
        break;
      }
      const [ax, ay] = rng.pick(spots);
      for (const [dx, dy] of shape) {
        const p = (ay + dy) * size + ax + dx;
        small[p] = 1;
      }
      for (const [dx, dy] of shape) block(blocked, size, ax + dx, ay + dy);
    }
    if (!ok) continue;
    const img = new Float32Array(size * size);
    for (let p = 0; p < img.length; p++) img[p] = outline[p] ? OUTLINE_VALUE : small[p] ? SMALL_VALUE : 0;
    return img;
  }
  throw new SceneError(`could not place ${scene.count} small shape(s) with inside=${scene.inside}, contact=${scene.contact} in ${ATTEMPTS} attempts`, scene, size);
}

/** A 1-px square outline of side ≈ 0.54·size (±1) whose position is within ±2 px of the centre. */
function drawCentredSquare(size: number, rng: Rng): Uint8Array {
  const side = Math.round(0.54 * size) + rng.range(-1, 1);
  const c = Math.floor((size - side) / 2);
  return squareOutline(size, side, c + rng.range(-2, 2), c + rng.range(-2, 2));
}

function squareOutline(size: number, side: number, x0: number, y0: number): Uint8Array {
  const o = new Uint8Array(size * size);
  for (let i = 0; i < side; i++) {
    o[y0 * size + x0 + i] = 1;
    o[(y0 + side - 1) * size + x0 + i] = 1;
    o[(y0 + i) * size + x0] = 1;
    o[(y0 + i) * size + x0 + side - 1] = 1;
  }
  return o;
}

/** A 1-px outline of a square or a circle, at a random size and position, fully inside the image. */
function drawOutline(size: number, rng: Rng): Uint8Array {
  if (rng.bool()) {
    const side = rng.range(Math.round(0.42 * size), Math.round(0.62 * size));
    return squareOutline(size, side, rng.range(0, size - side), rng.range(0, size - side));
  }
  const o = new Uint8Array(size * size);
  const r = rng.range(Math.round(0.21 * size), Math.round(0.29 * size));
  const cx = rng.range(r, size - 1 - r);
  const cy = rng.range(r, size - 1 - r);
  // Pixels whose centre lies within half a pixel of the circle: an 8-connected closed ring.
  for (let y = cy - r - 1; y <= cy + r + 1; y++) {
    for (let x = cx - r - 1; x <= cx + r + 1; x++) {
      if (x < 0 || y < 0 || x >= size || y >= size) continue;
      const d = Math.hypot(x - cx, y - cy);
      if (d >= r - 0.5 && d < r + 0.5) o[y * size + x] = 1;
    }
  }
  return o;
}

/** Background pixels reachable from the image border through 4-connected non-outline pixels. */
function floodExterior(outline: Uint8Array, size: number): Uint8Array {
  const ext = new Uint8Array(size * size);
  const stack: number[] = [];
  const push = (x: number, y: number) => {
    const p = y * size + x;
    if (!outline[p] && !ext[p]) {
      ext[p] = 1;
      stack.push(p);
    }
  };
  for (let i = 0; i < size; i++) {
    push(i, 0);
    push(i, size - 1);
    push(0, i);
    push(size - 1, i);
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const x = p % size;
    const y = (p - x) / size;
    if (x > 0) push(x - 1, y);
    if (x < size - 1) push(x + 1, y);
    if (y > 0) push(x, y - 1);
    if (y < size - 1) push(x, y + 1);
  }
  return ext;
}

/** Pixels that are in `m` or adjacent to it (8-neighbourhood when `diagonal`, else 4). */
function dilate(m: Uint8Array, size: number, diagonal: boolean): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!m[y * size + x]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (!diagonal && dx !== 0 && dy !== 0) continue;
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < size && yy < size) out[yy * size + xx] = 1;
        }
      }
    }
  }
  return out;
}

/** Marks a pixel and its 8 neighbours as unavailable to the next small shape. */
function block(blocked: Uint8Array, size: number, x: number, y: number): void {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      const yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < size && yy < size) blocked[yy * size + xx] = 1;
    }
  }
}

function candidatePositions(
  shape: [number, number][], size: number, scene: SceneSpec,
  outline: Uint8Array, exterior: Uint8Array, near4: Uint8Array, near8: Uint8Array, blocked: Uint8Array,
): [number, number][] {
  const w = Math.max(...shape.map((s) => s[0])) + 1;
  const h = Math.max(...shape.map((s) => s[1])) + 1;
  const spots: [number, number][] = [];
  for (let ay = 0; ay + h <= size; ay++) {
    for (let ax = 0; ax + w <= size; ax++) {
      let fits = true;
      let touches = false;
      for (const [dx, dy] of shape) {
        const p = (ay + dy) * size + ax + dx;
        if (outline[p] || blocked[p] || exterior[p] === (scene.inside ? 1 : 0)) {
          fits = false;
          break;
        }
        if (scene.contact) {
          if (near4[p]) touches = true;
        } else if (near8[p]) {
          fits = false;
          break;
        }
      }
      if (fits && (!scene.contact || touches)) spots.push([ax, ay]);
    }
  }
  return spots;
}
