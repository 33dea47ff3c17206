import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseParallelism } from '../../../src/extension/chooseParallelism';

describe('chooseParallelism (subnetworkLens.parallelJobs)', () => {
  test('auto: processes of at least 2 threads, at most 4 of them; one on 2 cores or on a GPU', () => {
    assert.deepEqual(chooseParallelism('auto', 0, 1), { jobs: 1, threads: undefined });
    assert.deepEqual(chooseParallelism('auto', 0, 2), { jobs: 1, threads: undefined });
    assert.deepEqual(chooseParallelism('auto', 0, 3), { jobs: 1, threads: undefined });
    assert.deepEqual(chooseParallelism('auto', 0, 4), { jobs: 2, threads: 2 });
    assert.deepEqual(chooseParallelism('auto', 0, 6), { jobs: 3, threads: 2 });
    assert.deepEqual(chooseParallelism('auto', 0, 64), { jobs: 4, threads: 16 });
    assert.deepEqual(chooseParallelism('auto', 0, 16, 'cuda'), { jobs: 1, threads: undefined });
    assert.deepEqual(chooseParallelism('auto', 3, 2), { jobs: 1, threads: 3 });
  });

  test('auto with a threads setting: as many processes of that many threads as the cores hold', () => {
    assert.deepEqual(chooseParallelism('auto', 4, 16), { jobs: 4, threads: 4 });
    assert.deepEqual(chooseParallelism('auto', 5, 16), { jobs: 3, threads: 5 });
    assert.deepEqual(chooseParallelism('auto', 1, 16), { jobs: 4, threads: 1 });
  });

  test('a number: capped at the cores; the threads fit J × threads ≤ cores', () => {
    for (const cores of [1, 2, 3, 4, 7, 8, 13, 64]) {
      for (const setting of [1, 2, 3, 5, 8, '2', 'auto']) {
        for (const threads of [undefined, 0, 1, 2, 3, 9]) {
          const p = chooseParallelism(setting, threads, cores);
          assert.ok(p.jobs >= 1 && p.jobs <= cores, JSON.stringify({ cores, setting, threads, p }));
          const fits = p.jobs === 1 || (p.threads! >= 1 && p.jobs * p.threads! <= cores);
          assert.ok(fits, JSON.stringify({ cores, setting, p }));
        }
      }
    }
    assert.deepEqual(chooseParallelism(2, 0, 2), { jobs: 2, threads: 1 });
    assert.deepEqual(chooseParallelism('8', 0, 4), { jobs: 4, threads: 1 });
    assert.deepEqual(chooseParallelism(2, 3, 8), { jobs: 2, threads: 3 });
    assert.deepEqual(chooseParallelism(2, 6, 8), { jobs: 2, threads: 4 });
    assert.deepEqual(chooseParallelism(1, 0, 8), { jobs: 1, threads: undefined });
  });

  test('anything else is refused with the setting named', () => {
    for (const bad of ['0', 'two', '1.5', -1, 0]) {
      const message = /subnetworkLens\.parallelJobs must be "auto" or a whole number ≥ 1/;
      assert.throws(() => chooseParallelism(bad, 0, 8), message);
    }
  });
});
