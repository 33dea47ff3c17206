import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/random';
import { DEFAULT_IMAGE_SIZE, makeVisionProblems } from '../../../src/core/tasks/makeVisionProblems';
import { MIN_LEVEL, MIN_LEVEL_GAP, renderScene, type SceneSpec } from '../../../src/core/tasks/renderScene';
import type { VisionTaskName } from '../../../src/core/tasks/taskCatalog';
import { oddIndexFor, type Kind } from './oddOneOutOracle';

interface Measured { count: number; inside: boolean; contact: boolean }

/**
 * The relations from pixel geometry: `outline` marks the big contour, `small` one mask per small shape.
 * Inside = not reachable from the border through 4-connected non-outline pixels; contact = a pixel
 * 4-adjacent to the outline; a shape that comes no closer than diagonally would be ambiguous and fails.
 */
function relations(outline: Uint8Array, small: Uint8Array[], S: number, where: string): Measured {
  const outside = new Uint8Array(S * S);
  const queue: [number, number][] = [];
  for (let i = 0; i < S; i++) queue.push([i, 0], [i, S - 1], [0, i], [S - 1, i]);
  while (queue.length) {
    const [x, y] = queue.pop()!;
    if (x < 0 || y < 0 || x >= S || y >= S || outside[y * S + x] || outline[y * S + x]) continue;
    outside[y * S + x] = 1;
    queue.push([x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]);
  }
  const isOutline = (x: number, y: number) => x >= 0 && y >= 0 && x < S && y < S && outline[y * S + x] === 1;
  const shapes = small.map((mask, k) => {
    const c = { inside: true, outside: true, touch4: false, touch8: false };
    for (let p = 0; p < S * S; p++) {
      if (!mask[p]) continue;
      assert.equal(outline[p], 0, `${where}: small shape ${k} overlaps the outline`);
      if (outside[p]) c.inside = false;
      else c.outside = false;
      const x = p % S;
      const y = (p - x) / S;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (!isOutline(x + dx, y + dy)) continue;
          c.touch8 = true;
          if (dx === 0 || dy === 0) c.touch4 = true;
        }
      }
    }
    assert.ok(c.inside || c.outside, `${where}: small shape ${k} straddles the outline`);
    assert.equal(c.touch4, c.touch8, `${where}: small shape ${k} touches the outline only diagonally (ambiguous)`);
    return c;
  });
  assert.ok(shapes.length === 1 || shapes.length === 2, `${where}: ${shapes.length} small shapes`);
  assert.ok(shapes.every((c) => c.inside === shapes[0]!.inside), `${where}: small shapes disagree on inside`);
  assert.ok(shapes.every((c) => c.touch4 === shapes[0]!.touch4), `${where}: small shapes disagree on contact`);
  return { count: shapes.length, inside: shapes[0]!.inside, contact: shapes[0]!.touch4 };
}

/** Reads a `low`-variation image (outline 1, small shapes 0.5): the small shapes are 8-connected components. */
function measurePixels(img: Float32Array, S: number, where: string): Measured {
  for (const v of img) assert.ok(v === 0 || v === 0.5 || v === 1, `${where}: unexpected pixel value ${v}`);
  const outline = Uint8Array.from(img, (v) => (v === 1 ? 1 : 0));
  const seen = new Uint8Array(S * S);
  const small: Uint8Array[] = [];
  for (let p0 = 0; p0 < S * S; p0++) {
    if (img[p0] !== 0.5 || seen[p0]) continue;
    const mask = new Uint8Array(S * S);
    const stack = [p0];
    seen[p0] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      mask[p] = 1;
      const x = p % S;
      const y = (p - x) / S;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const q = (y + dy) * S + x + dx;
          if (x + dx < 0 || y + dy < 0 || x + dx >= S || y + dy >= S || seen[q] || img[q] !== 0.5) continue;
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    small.push(mask);
  }
  return relations(outline, small, S, where);
}

/** (a, b) of a task from measured relations, asserting that the held-fixed relation is fixed. */
function propertiesOf(task: VisionTaskName, m: Measured, where: string): [number, number] {
  const bit = (x: boolean) => (x ? 1 : 0);
  switch (task) {
    case 'inside-contact':
      assert.equal(m.count, 1, `${where}: inside-contact has one small shape`);
      return [bit(m.inside), bit(m.contact)];
    case 'number-contact':
      assert.equal(m.inside, false, `${where}: number-contact keeps the small shapes outside`);
      return [bit(m.count === 2), bit(m.contact)];
    case 'inside-number':
      assert.equal(m.contact, false, `${where}: inside-number keeps the small shapes apart from the outline`);
      return [bit(m.inside), bit(m.count === 2)];
  }
}

const TASKS: VisionTaskName[] = ['inside-contact', 'number-contact', 'inside-number'];
const KINDS: Kind[] = ['task', 'test-A', 'test-B', 'train-A', 'train-B'];
const S = DEFAULT_IMAGE_SIZE;

describe('vision problem sets', () => {
  for (const task of TASKS) {
    test(`${task}: in every kind of set the label is the odd image according to relations read off the pixels`, () => {
      for (const kind of KINDS) {
        const n = 12;
        const set = makeVisionProblems(task, kind, n, new Rng(7), { variation: 'low' });
        const x = set.inputs.x!;
        assert.deepEqual(x.shape, [n, 4, 1, S, S]);
        assert.equal(x.dtype, 'float32');
        assert.deepEqual(set.labels.shape, [n]);
        const img = x.data as Float32Array;
        for (let i = 0; i < n; i++) {
          const values: [number, number][] = [];
          for (let j = 0; j < 4; j++) {
            const where = `${task}/${kind} problem ${i} image ${j}`;
            const m = measurePixels(img.subarray((i * 4 + j) * S * S, (i * 4 + j + 1) * S * S), S, where);
            const v = propertiesOf(task, m, where);
            const recorded = [set.properties.data[(i * 4 + j) * 2], set.properties.data[(i * 4 + j) * 2 + 1]];
            assert.deepEqual(v, recorded, `${where}: pixels agree with the recorded properties`);
            values.push(v);
          }
          assert.equal(Number(set.labels.data[i]), oddIndexFor(kind, values, `${task}/${kind} problem ${i}`));
        }
      }
    });
  }

  test('full variation: every relation holds on the rendered shapes, each drawn in its own visible grey level', () => {
    const rng = new Rng(21);
    for (const inside of [true, false]) {
      for (const contact of [true, false]) {
        for (const count of [1, 2] as const) {
          const spec: SceneSpec = { inside, contact, count };
          for (let r = 0; r < 8; r++) {
            const where = `${JSON.stringify(spec)} #${r}`;
            const scene = renderScene(spec, S, rng);
            assert.deepEqual(relations(scene.outline, scene.small, S, where), { count, inside, contact }, where);
            const level = (mask: Uint8Array) => new Set(scene.image.filter((_, p) => mask[p] === 1));
            const outlineLevel = [...level(scene.outline)];
            assert.equal(outlineLevel.length, 1, `${where}: one outline level`);
            for (const mask of scene.small) {
              const l = [...level(mask)];
              assert.equal(l.length, 1, `${where}: one level per small shape`);
              const visible = l[0]! >= MIN_LEVEL && Math.abs(l[0]! - outlineLevel[0]!) >= MIN_LEVEL_GAP - 1e-6;
              assert.ok(visible, `${where}: level ${l[0]}`);
            }
            const drawn = (p: number) => scene.outline[p] === 1 || scene.small.some((m) => m[p] === 1);
            assert.ok(scene.image.every((v, p) => (v === 0) === !drawn(p)), `${where}: background 0 off the shapes`);
          }
        }
      }
    }
  });

  test('positions and sizes vary widely: small shapes and outlines cover most of the image', () => {
    const rng = new Rng(4);
    const xs: number[] = [];
    const outlineCentres: number[] = [];
    const outlineWidths: number[] = [];
    for (let r = 0; r < 60; r++) {
      const scene = renderScene({ inside: r % 2 === 0, contact: r % 3 === 0, count: 1 }, S, rng);
      const cols = (mask: Uint8Array) => [...mask.keys()].filter((p) => mask[p]).map((p) => p % S);
      const c = cols(scene.small[0]!);
      xs.push(c.reduce((s, v) => s + v, 0) / c.length);
      const o = cols(scene.outline);
      outlineCentres.push((Math.min(...o) + Math.max(...o)) / 2);
      outlineWidths.push(Math.max(...o) - Math.min(...o));
    }
    const spread = (v: number[]) => (Math.max(...v) - Math.min(...v)) / S;
    assert.ok(spread(xs) > 0.7, `small-shape centres span ${spread(xs)} of the width`);
    assert.ok(spread(outlineCentres) > 0.25, `outline centres span ${spread(outlineCentres)} of the width`);
    assert.ok(spread(outlineWidths) > 0.15, `outline widths span ${spread(outlineWidths)} of the width`);
  });

  test('classes are balanced: the odd index and the odd stimulus\'s property values', () => {
    const n = 240;
    const set = makeVisionProblems('number-contact', 'task', n, new Rng(8), { imageSize: 32 });
    const byIndex = [0, 0, 0, 0];
    const byValues = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const odd = Number(set.labels.data[i]);
      byIndex[odd]!++;
      const key = `${set.properties.data[(i * 4 + odd) * 2]}${set.properties.data[(i * 4 + odd) * 2 + 1]}`;
      byValues.set(key, (byValues.get(key) ?? 0) + 1);
    }
    // Binomial(240, 1/4): mean 60, sd 6.7; Binomial(240, 1/3): mean 80, sd 7.3 — bounds at about 3.5 sd.
    assert.ok(byIndex.every((c) => c >= 37 && c <= 83), `odd index counts ${byIndex}`);
    assert.deepEqual([...byValues.keys()].sort(), ['00', '01', '10']);
    assert.ok([...byValues.values()].every((c) => c >= 55 && c <= 105), `odd values ${[...byValues]}`);
  });

  test('partition test sets differ from the regular images in exactly one property', () => {
    for (const task of TASKS) {
      for (const [kind, differing] of [['test-A', 0], ['test-B', 1]] as const) {
        const set = makeVisionProblems(task, kind, 10, new Rng(3), { imageSize: 32 });
        const p = set.properties.data;
        for (let i = 0; i < 10; i++) {
          const odd = Number(set.labels.data[i]);
          for (let j = 0; j < 4; j++) {
            if (j === odd) continue;
            const at = (k: number, property: number) => p[(i * 4 + k) * 2 + property];
            assert.notEqual(at(odd, differing), at(j, differing), `${task}/${kind}: decisive property differs`);
            assert.equal(at(odd, 1 - differing), at(j, 1 - differing), `${task}/${kind}: other property held fixed`);
          }
        }
      }
    }
  });

  test('the same seed gives identical problems and another seed different ones', () => {
    const a = makeVisionProblems('inside-contact', 'task', 4, new Rng(11));
    const b = makeVisionProblems('inside-contact', 'task', 4, new Rng(11));
    const c = makeVisionProblems('inside-contact', 'task', 4, new Rng(12));
    assert.deepEqual(a.inputs.x!.data, b.inputs.x!.data);
    assert.deepEqual(a.labels.data, b.labels.data);
    assert.notDeepEqual(a.inputs.x!.data, c.inputs.x!.data);
  });

  test('images of the four stimuli are not copies of each other', () => {
    const set = makeVisionProblems('number-contact', 'test-A', 5, new Rng(5));
    const d = set.inputs.x!.data as Float32Array;
    for (let i = 0; i < 5; i++) {
      const imgs = [0, 1, 2, 3].map((j) => d.subarray((i * 4 + j) * S * S, (i * 4 + j + 1) * S * S).join(','));
      assert.equal(new Set(imgs).size, 4);
    }
  });

  test('other image sizes render, too small ones are refused', () => {
    const set = makeVisionProblems('inside-number', 'task', 2, new Rng(1), { imageSize: 64 });
    assert.deepEqual(set.inputs.x!.shape, [2, 4, 1, 64, 64]);
    assert.throws(() => renderScene({ inside: true, contact: false, count: 2 }, 24, new Rng(0)),
      /image size 24 is below the minimum 32/);
  });

  test('a language task name is refused', () => {
    assert.throws(() => makeVisionProblems('agreement' as VisionTaskName, 'task', 1, new Rng(0)),
      /'agreement' is not a vision task/);
  });
});
