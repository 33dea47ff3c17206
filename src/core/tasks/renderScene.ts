// Rasterises one CVR-style scene: a big random closed contour (an irregular star-shaped outline, 1 px
// thick, of random size and position) and one or two small random filled shapes placed inside or outside
// it, touching it or not, each in its own random grey level on a black background. Placement draws pixel
// offsets uniformly until one satisfies the requested relations (so it is uniform over the valid ones), so
// the relations hold exactly on the rendered pixels (not just on the continuous geometry); the pixel masks of
// every shape are returned with the image so the relations can be checked from the source geometry.

import type { Rng } from '../util/random';

/** Smallest image side the size ranges are made for. */
export const MIN_IMAGE_SIZE = 32;
/** Grey levels of the shapes are drawn from [MIN_LEVEL, 1]; the background is 0. */
export const MIN_LEVEL = 0.3;
/** Smallest difference between the outline's grey level and a small shape's, so contact stays visible. */
export const MIN_LEVEL_GAP = 0.2;

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

/**
 * How much the nuisance factors vary. `full`: every shape gets a random grey level. `low`: the outline
 * is drawn at 1 and the small shapes at 0.5 (the shapes' form, size and position vary as in `full`).
 */
export type SceneVariation = 'low' | 'full';

export interface RenderedScene {
  /** size×size grey levels, row-major. */
  image: Float32Array;
  /** 1 where the big outline is. */
  outline: Uint8Array;
  /** One 0/1 mask per small shape. */
  small: Uint8Array[];
}

export class SceneError extends Error {
  override name = 'SceneError';
  constructor(message: string, readonly scene: SceneSpec, readonly size: number) {
    super(message);
  }
}

const ATTEMPTS = 200;
/** Random offsets tried per small shape before the scene is drawn again. */
const PLACEMENT_TRIES = 500;
const ANGLE_STEPS = 512;
/** Largest r(θ)/radius of a blob: 1 + Σ 0.2/(k − 1) over k = 2…5 < 1.42. */
const REACH = 1.42;

/** Renders a `size`×`size` single-channel scene satisfying `scene`, with its shapes' pixel masks. */
export function renderScene(
  scene: SceneSpec, size: number, rng: Rng, variation: SceneVariation = 'full',
): RenderedScene {
  if (!Number.isInteger(size) || size < MIN_IMAGE_SIZE) {
    throw new SceneError(`image size ${size} is below the minimum ${MIN_IMAGE_SIZE}`, scene, size);
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const outline = drawOutline(size, rng);
    const exterior = floodExterior(outline, size);
    const near8 = dilate(outline, size, true);
    const near4 = dilate(outline, size, false);
    // Pixels a small shape may cover: off the outline, on the requested side, and (without contact) not
    // even diagonally next to it; placing a shape removes its pixels and their neighbours.
    const allowed = new Uint8Array(size * size);
    for (let p = 0; p < allowed.length; p++) {
      const side = exterior[p] === (scene.inside ? 0 : 1);
      allowed[p] = !outline[p] && side && (scene.contact || !near8[p]) ? 1 : 0;
    }
    const small: Uint8Array[] = [];
    for (let k = 0; k < scene.count; k++) {
      const shape = smallShape(size, rng);
      const spot = placeShape(shape, size, scene, rng, allowed, near4);
      if (!spot) break;
      const [ax, ay] = spot;
      const mask = new Uint8Array(size * size);
      for (const [dx, dy] of shape) mask[(ay + dy) * size + ax + dx] = 1;
      for (const [dx, dy] of shape) block(allowed, size, ax + dx, ay + dy);
      small.push(mask);
    }
    if (small.length < scene.count) continue;
    const image = new Float32Array(size * size);
    const outlineLevel = variation === 'low' ? 1 : rng.uniform(MIN_LEVEL, 1);
    for (let p = 0; p < image.length; p++) if (outline[p]) image[p] = outlineLevel;
    for (const mask of small) {
      const level = variation === 'low' ? 0.5 : smallLevel(outlineLevel, rng);
      for (let p = 0; p < image.length; p++) if (mask[p]) image[p] = level;
    }
    return { image, outline, small };
  }
  throw new SceneError(
    `could not place ${scene.count} small shape(s) with inside=${scene.inside}, contact=${scene.contact} ` +
    `in ${ATTEMPTS} attempts`, scene, size,
  );
}

/** A grey level in [MIN_LEVEL, 1] at least MIN_LEVEL_GAP away from the outline's. */
function smallLevel(outlineLevel: number, rng: Rng): number {
  for (;;) {
    const level = rng.uniform(MIN_LEVEL, 1);
    if (Math.abs(level - outlineLevel) >= MIN_LEVEL_GAP) return level;
  }
}

/**
 * Pixels of a random star-shaped region centred at (cx, cy): radius r(θ) = radius · (1 + Σ a_k cos(kθ + φ_k))
 * over harmonics k = 2…5 with random amplitudes and phases (a random irregular closed form, like CVR's).
 */
function blob(size: number, cx: number, cy: number, radius: number, rng: Rng): Uint8Array {
  const harmonics = [2, 3, 4, 5].map((k) => ({
    k, a: rng.uniform(0, 0.2 / (k - 1)), phase: rng.uniform(0, 2 * Math.PI),
  }));
  // r(θ) tabulated at ANGLE_STEPS angles (far finer than a pixel at these radii).
  const table = Float64Array.from({ length: ANGLE_STEPS }, (_, i) => {
    const theta = (2 * Math.PI * i) / ANGLE_STEPS - Math.PI;
    return radius * (1 + harmonics.reduce((s, h) => s + h.a * Math.cos(h.k * theta + h.phase), 0));
  });
  const region = new Uint8Array(size * size);
  const reach = Math.ceil(radius * REACH) + 1;
  for (let y = Math.max(0, cy - reach); y <= Math.min(size - 1, cy + reach); y++) {
    for (let x = Math.max(0, cx - reach); x <= Math.min(size - 1, cx + reach); x++) {
      const step = Math.round(((Math.atan2(y - cy, x - cx) + Math.PI) / (2 * Math.PI)) * ANGLE_STEPS) % ANGLE_STEPS;
      if (Math.hypot(x - cx, y - cy) <= table[step]!) region[y * size + x] = 1;
    }
  }
  return region;
}

/**
 * The big shape's outline: the pixels of a random region (radius 0.2–0.3 of the image side, anywhere the
 * whole form fits with a 1-px margin) that have a 4-neighbour outside it. Every 4-connected path from the
 * region's interior to the image border crosses it, so it encloses that interior.
 */
function drawOutline(size: number, rng: Rng): Uint8Array {
  const radius = rng.uniform(0.2 * size, 0.3 * size);
  const margin = Math.ceil(radius * REACH) + 1;
  const cx = rng.range(Math.min(margin, size >> 1), Math.max(size - 1 - margin, size >> 1));
  const cy = rng.range(Math.min(margin, size >> 1), Math.max(size - 1 - margin, size >> 1));
  const region = blob(size, cx, cy, radius, rng);
  const outline = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!region[y * size + x]) continue;
      const edge = x === 0 || y === 0 || x === size - 1 || y === size - 1
        || !region[y * size + x - 1] || !region[y * size + x + 1]
        || !region[(y - 1) * size + x] || !region[(y + 1) * size + x];
      if (edge) outline[y * size + x] = 1;
    }
  }
  return outline;
}

/** Pixel offsets [dx, dy] of a small random filled form of radius 0.04–0.07 of the image side. */
function smallShape(size: number, rng: Rng): [number, number][] {
  const radius = rng.uniform(0.04 * size, 0.07 * size);
  const box = Math.ceil(radius * REACH) * 2 + 3;
  const c = box >> 1;
  const region = blob(box, c, c, radius, rng);
  const offsets: [number, number][] = [];
  for (let y = 0; y < box; y++) for (let x = 0; x < box; x++) if (region[y * box + x]) offsets.push([x, y]);
  const minX = Math.min(...offsets.map((o) => o[0]));
  const minY = Math.min(...offsets.map((o) => o[1]));
  return offsets.map(([x, y]) => [x - minX, y - minY]);
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
function block(allowed: Uint8Array, size: number, x: number, y: number): void {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      const yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < size && yy < size) allowed[yy * size + xx] = 0;
    }
  }
}

/**
 * A uniformly random position (top-left offset) where `shape` satisfies the relations of `scene`, by rejection
 * sampling over all offsets (uniform over the valid ones); undefined when PLACEMENT_TRIES draws all fail.
 */
function placeShape(
  shape: [number, number][], size: number, scene: SceneSpec, rng: Rng,
  allowed: Uint8Array, near4: Uint8Array,
): [number, number] | undefined {
  const w = Math.max(...shape.map((s) => s[0])) + 1;
  const h = Math.max(...shape.map((s) => s[1])) + 1;
  for (let t = 0; t < PLACEMENT_TRIES; t++) {
    const ax = rng.int(size - w + 1);
    const ay = rng.int(size - h + 1);
    let fits = true;
    let touches = false;
    for (const [dx, dy] of shape) {
      const p = (ay + dy) * size + ax + dx;
      if (!allowed[p]) {
        fits = false;
        break;
      }
      if (near4[p]) touches = true;
    }
    if (fits && (!scene.contact || touches)) return [ax, ay];
  }
  return undefined;
}
