// Unlabelled data for contrastive pretraining of the vision model, posed as odd-one-out problems so
// the engine's odd-one-out head scores them unchanged: three augmented views of one rendered scene
// and one augmented view of another scene (the odd one, at a random index). Both scenes come from the
// task's own generator with random property values. Augmentation: a random shift of up to `shift`
// pixels in each direction (zero fill, the background value) and Gaussian pixel noise of std `noise`,
// optionally after one of the square's 8 symmetries (they keep inside, contact and number).
import type { Rng } from '../util/random';
import { TaskError } from './errors';
import { DEFAULT_IMAGE_SIZE, sceneFor } from './makeVisionProblems';
import { renderScene, type SceneVariation } from './renderScene';
import { GROUP } from './sampleProblemProperties';
import type { VisionTaskName } from './taskCatalog';

export interface ContrastiveViewOptions {
  imageSize?: number;
  variation?: SceneVariation;
  /** Largest shift in pixels per axis (default 2). */
  shift?: number;
  /** Std of the additive pixel noise (default 0.05). */
  noise?: number;
  /**
   * Also apply one of the 8 symmetries of the square (flips, transposes), which keep every relation
   * (default false).
   */
  symmetries?: boolean;
}

export interface ContrastiveViews {
  /** float32 [problems, 4, 1, size, size]. */
  x: Float32Array;
  /** int64 [problems]: index of the view of the other scene. */
  labels: BigInt64Array;
  problems: number;
  imageSize: number;
}

export function makeContrastiveViews(
  task: VisionTaskName, problems: number, rng: Rng, options: ContrastiveViewOptions = {},
): ContrastiveViews {
  const size = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  const variation = options.variation ?? 'full';
  const shift = options.shift ?? 2;
  const noise = options.noise ?? 0.05;
  const symmetries = options.symmetries ?? false;
  if (!Number.isInteger(problems) || problems < 1) {
    throw new TaskError(`problem count ${problems} is not a positive integer`, 'problems', problems);
  }
  const pixels = size * size;
  const x = new Float32Array(problems * GROUP * pixels);
  const labels = new BigInt64Array(problems);
  const scene = () => renderScene(sceneFor(task, rng.int(2), rng.int(2)), size, rng, variation).image;
  for (let p = 0; p < problems; p++) {
    const anchor = scene();
    const other = scene();
    const odd = rng.int(GROUP);
    labels[p] = BigInt(odd);
    for (let j = 0; j < GROUP; j++) {
      x.set(augment(j === odd ? other : anchor, size, rng, shift, noise, symmetries), (p * GROUP + j) * pixels);
    }
  }
  return { x, labels, problems, imageSize: size };
}

function augment(
  image: Float32Array, size: number, rng: Rng, shift: number, noise: number, symmetries: boolean,
): Float32Array {
  if (symmetries) image = symmetry(image, size, rng.int(8));
  const dx = rng.range(-shift, shift);
  const dy = rng.range(-shift, shift);
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const sy = y - dy;
    for (let x = 0; x < size; x++) {
      const sx = x - dx;
      const v = sx >= 0 && sx < size && sy >= 0 && sy < size ? image[sy * size + sx]! : 0;
      out[y * size + x] = noise > 0 ? v + rng.normal(0, noise) : v;
    }
  }
  return out;
}

/** Symmetry `k` (0…7) of the square: bit 0 flips x, bit 1 flips y, bit 2 transposes. */
function symmetry(image: Float32Array, size: number, k: number): Float32Array {
  if (k === 0) return image;
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sx = k & 1 ? size - 1 - x : x;
      let sy = k & 2 ? size - 1 - y : y;
      if (k & 4) [sx, sy] = [sy, sx];
      out[y * size + x] = image[sy * size + sx]!;
    }
  }
  return out;
}
