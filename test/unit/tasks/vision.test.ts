import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/random';
import { makeVisionProblems } from '../../../src/core/tasks/makeVisionProblems';
import { renderScene } from '../../../src/core/tasks/renderScene';
import type { VisionTaskName } from '../../../src/core/tasks/taskCatalog';
import { oddIndexFor, type Kind } from './oddOneOutOracle';

interface Measured { count: number; inside: boolean; contact: boolean }

/** Reads the relations off the pixels: outline = 1, small shapes = 0.5, background = 0. */
function measure(img: Float32Array, S: number, where: string): Measured {
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= S || y >= S ? 0 : img[y * S + x]!);
  for (const v of img) assert.ok(v === 0 || v === 0.5 || v === 1, `${where}: unexpected pixel value ${v}`);
  // Outside region: 4-connected flood fill over non-outline pixels from the border.
  const outside = new Uint8Array(S * S);
  const queue: [number, number][] = [];
  for (let i = 0; i < S; i++) queue.push([i, 0], [i, S - 1], [0, i], [S - 1, i]);
  while (queue.length) {
    const [x, y] = queue.pop()!;
    if (x < 0 || y < 0 || x >= S || y >= S || outside[y * S + x] || at(x, y) === 1) continue;
    outside[y * S + x] = 1;
    queue.push([x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]);
  }
  // Small shapes: 8-connected components of value 0.5.
  const seen = new Uint8Array(S * S);
  const comps: { inside: boolean; touch4: boolean; touch8: boolean }[] = [];
  for (let y0 = 0; y0 < S; y0++) {
    for (let x0 = 0; x0 < S; x0++) {
      if (at(x0, y0) !== 0.5 || seen[y0 * S + x0]) continue;
      const c = { inside: true, touch4: false, touch8: false };
      const stack: [number, number][] = [[x0, y0]];
      seen[y0 * S + x0] = 1;
      while (stack.length) {
        const [x, y] = stack.pop()!;
        if (outside[y * S + x]) c.inside = false;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const v = at(x + dx, y + dy);
            if (v === 1) {
              c.touch8 = true;
              if (dx === 0 || dy === 0) c.touch4 = true;
            }
            if (v === 0.5 && !seen[(y + dy) * S + x + dx]) {
              seen[(y + dy) * S + x + dx] = 1;
              stack.push([x + dx, y + dy]);
            }
          }
        }
      }
      comps.push(c);
    }
  }
  assert.ok(comps.length === 1 || comps.length === 2, `${where}: ${comps.length} small shapes`);
  for (const c of comps) assert.equal(c.touch4, c.touch8, `${where}: a small shape touches the outline only diagonally (ambiguous contact)`);
  assert.ok(comps.every((c) => c.inside === comps[0]!.inside), `${where}: small shapes disagree on inside`);
  assert.ok(comps.every((c) => c.touch4 === comps[0]!.touch4), `${where}: small shapes disagree on contact`);
  return { count: comps.length, inside: comps[0]!.inside, contact: comps[0]!.touch4 };
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

describe('vision problem sets', () => {
  for (const [task, variation] of TASKS.flatMap((t) => [[t, 'full'], [t, 'low']] as const)) {
    for (const kind of KINDS) {
      test(`${task} ${kind} (${variation} variation): the label is the odd image according to relations read off the pixels`, () => {
        const n = 40;
        const set = makeVisionProblems(task, kind, n, new Rng(7), { variation });
        const x = set.inputs.x!;
        assert.deepEqual(x.shape, [n, 4, 1, 24, 24]);
        assert.equal(x.dtype, 'float32');
        assert.deepEqual(set.labels.shape, [n]);
        const S = 24;
        const img = x.data as Float32Array;
        const oddCounts = [0, 0, 0, 0];
        for (let i = 0; i < n; i++) {
          const values: [number, number][] = [];
          for (let j = 0; j < 4; j++) {
            const where = `${task}/${kind} problem ${i} image ${j}`;
            const v = propertiesOf(task, measure(img.subarray((i * 4 + j) * S * S, (i * 4 + j + 1) * S * S), S, where), where);
            assert.deepEqual(v, [set.properties.data[(i * 4 + j) * 2], set.properties.data[(i * 4 + j) * 2 + 1]], `${where}: pixels agree with the recorded properties`);
            values.push(v);
          }
          const odd = oddIndexFor(kind, values, `${task}/${kind} problem ${i}`);
          assert.equal(Number(set.labels.data[i]), odd, `${task}/${kind} problem ${i}: label`);
          oddCounts[odd]!++;
        }
        assert.ok(oddCounts.every((c) => c > 0), `odd index takes every position: ${oddCounts}`);
      });
    }
  }

  test('partition test sets differ from the regular images in exactly one property', () => {
    for (const task of TASKS) {
      for (const [kind, differing] of [['test-A', 0], ['test-B', 1]] as const) {
        const set = makeVisionProblems(task, kind, 30, new Rng(3));
        const p = set.properties.data;
        for (let i = 0; i < 30; i++) {
          const odd = Number(set.labels.data[i]);
          for (let j = 0; j < 4; j++) {
            if (j === odd) continue;
            assert.notEqual(p[(i * 4 + odd) * 2 + differing], p[(i * 4 + j) * 2 + differing], `${task}/${kind}: decisive property differs`);
            assert.equal(p[(i * 4 + odd) * 2 + 1 - differing], p[(i * 4 + j) * 2 + 1 - differing], `${task}/${kind}: other property held fixed`);
          }
        }
      }
    }
  });

  test('the same seed gives identical problems and another seed different ones', () => {
    const a = makeVisionProblems('inside-contact', 'task', 10, new Rng(11));
    const b = makeVisionProblems('inside-contact', 'task', 10, new Rng(11));
    const c = makeVisionProblems('inside-contact', 'task', 10, new Rng(12));
    assert.deepEqual(a.inputs.x!.data, b.inputs.x!.data);
    assert.deepEqual(a.labels.data, b.labels.data);
    assert.notDeepEqual(a.inputs.x!.data, c.inputs.x!.data);
  });

  test('images of the four stimuli are not copies of each other', () => {
    const set = makeVisionProblems('number-contact', 'test-A', 5, new Rng(5));
    const d = set.inputs.x!.data as Float32Array;
    const S2 = 24 * 24;
    for (let i = 0; i < 5; i++) {
      const imgs = [0, 1, 2, 3].map((j) => d.subarray((i * 4 + j) * S2, (i * 4 + j + 1) * S2).join(','));
      assert.equal(new Set(imgs).size, 4);
    }
  });

  test('other image sizes render, too small ones are refused', () => {
    const set = makeVisionProblems('inside-number', 'task', 3, new Rng(1), { imageSize: 32 });
    assert.deepEqual(set.inputs.x!.shape, [3, 4, 1, 32, 32]);
    assert.throws(() => renderScene({ inside: true, contact: false, count: 2 }, 12, new Rng(0)), /image size 12 is below the minimum 20/);
  });

  test('a language task name is refused', () => {
    assert.throws(() => makeVisionProblems('agreement' as VisionTaskName, 'task', 1, new Rng(0)), /'agreement' is not a vision task/);
  });
});
