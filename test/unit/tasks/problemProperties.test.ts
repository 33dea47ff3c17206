import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/random';
import { PROBLEM_KINDS, sampleProblemProperties } from '../../../src/core/tasks/sampleProblemProperties';
import { oddIndexFor } from './oddOneOutOracle';

describe('sampleProblemProperties', () => {
  test('every kind satisfies its construction and the odd index is the label', () => {
    const rng = new Rng(0);
    for (const kind of PROBLEM_KINDS) {
      for (let i = 0; i < 500; i++) {
        const p = sampleProblemProperties(kind, rng);
        assert.equal(oddIndexFor(kind, p.values, `${kind} #${i}`), p.odd);
      }
    }
  });

  test('odd positions and odd-stimulus types are balanced, '
    + 'and subroutine sets keep the rule on the regular stimuli', () => {
    const rng = new Rng(1);
    const n = 6000;
    const pos = [0, 0, 0, 0];
    const types = new Map<string, number>();
    let regularA1 = 0;
    let freeSplit22 = 0;
    for (let i = 0; i < n; i++) {
      const t = sampleProblemProperties('task', rng);
      pos[t.odd]!++;
      const key = t.values[t.odd]!.join('');
      types.set(key, (types.get(key) ?? 0) + 1);
      const a = sampleProblemProperties('train-A', rng);
      if (a.values.every((v, j) => v[0] === (j === a.odd ? 0 : 1))) regularA1++;
      if (a.values.filter((v) => v[1] === 1).length === 2) freeSplit22++;
    }
    for (const c of pos) assert.ok(Math.abs(c / n - 0.25) < 0.03, `odd position frequencies ${pos}`);
    assert.deepEqual([...types.keys()].sort(), ['00', '01', '10']);
    for (const c of types.values()) assert.ok(Math.abs(c / n - 1 / 3) < 0.03, `odd types ${[...types]}`);
    assert.equal(regularA1, n, 'train-A: regular stimuli have A = 1, the odd one A = 0');
    assert.ok(Math.abs(freeSplit22 / n - 0.75) < 0.03, `free property split 2/2 in ${freeSplit22} of ${n}`);
  });
});
