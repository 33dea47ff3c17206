// Test helper: decides, from property values recomputed independently of the generator, which
// stimulus of a problem is odd under each kind of set, and checks the set's invariants.
import assert from 'node:assert/strict';

export type Kind = 'task' | 'test-A' | 'test-B' | 'train-A' | 'train-B';

/** The odd index implied by recomputed (a, b) values of four stimuli; asserts the kind's invariants. */
export function oddIndexFor(kind: Kind, values: [number, number][], where: string): number {
  assert.equal(values.length, 4, where);
  if (kind === 'task' || kind === 'test-A' || kind === 'test-B') {
    const breaking = values.flatMap((v, i) => (v[0] === 1 && v[1] === 1 ? [] : [i]));
    assert.equal(breaking.length, 1, `${where}: exactly one stimulus breaks "A and B", got ${JSON.stringify(values)}`);
    const odd = breaking[0]!;
    const [a, b] = values[odd]!;
    if (kind === 'test-A') assert.deepEqual([a, b], [0, 1], `${where}: in test-A the odd stimulus differs in A only`);
    if (kind === 'test-B') assert.deepEqual([a, b], [1, 0], `${where}: in test-B the odd stimulus differs in B only`);
    return odd;
  }
  const decisive = kind === 'train-A' ? 0 : 1;
  const d = values.map((v) => v[decisive]!);
  const f = values.map((v) => v[1 - decisive]!);
  const singled = (bits: number[]) => bits.flatMap((x, i) => (bits.filter((y) => y === x).length === 1 ? [i] : []));
  const odd = singled(d);
  assert.equal(odd.length, 1,
    `${where}: the decisive property singles out exactly one stimulus, got ${JSON.stringify(values)}`);
  assert.equal(d[odd[0]!], 0, `${where}: the regular stimuli follow the rule (property = 1), the odd one breaks it`);
  assert.equal(singled(f).length === 1, false,
    `${where}: the free property must not single out a stimulus, got ${JSON.stringify(values)}`);
  return odd[0]!;
}
