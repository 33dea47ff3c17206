import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/random';

describe('Rng', () => {
  test('the same seed repeats the sequence and restoring the state resumes it', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
    const saved = a.state;
    const next = [a.normal(), a.int(10), a.next()];
    const c = new Rng(0);
    c.state = saved;
    assert.deepEqual([c.normal(), c.int(10), c.next()], next);
    assert.notDeepEqual(Array.from({ length: 5 }, () => new Rng(43).next()), xs);
  });

  test('derived streams differ by label and are stable', () => {
    assert.equal(Rng.derive(1, 'a').next(), Rng.derive(1, 'a').next());
    assert.notEqual(Rng.derive(1, 'a').next(), Rng.derive(1, 'b').next());
    assert.notEqual(Rng.derive(1, 'a').next(), Rng.derive(2, 'a').next());
  });

  test('uniform, integer and normal draws have the right ranges and moments', () => {
    const r = new Rng(7);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const u = r.next();
      assert.ok(u >= 0 && u < 1);
      counts[r.int(3)]!++;
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    assert.ok(Math.abs(sum / n) < 0.03, `normal mean ${sum / n}`);
    assert.ok(Math.abs(sq / n - 1) < 0.04, `normal variance ${sq / n}`);
    for (const c of counts) assert.ok(Math.abs(c / n - 1 / 3) < 0.02, `int(3) counts ${counts}`);
  });

  test('permutation and shuffle rearrange without losing elements', () => {
    const r = new Rng(3);
    const p = r.permutation(50);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual([...p], Array.from({ length: 50 }, (_, i) => i));
    const s = r.shuffle(['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual([...s].sort(), ['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
