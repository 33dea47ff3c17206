import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/random';
import { makeLanguageProblems } from '../../../src/core/tasks/makeLanguageProblems';
import { VOCAB, makeSentence } from '../../../src/core/tasks/agreementGrammar';
import type { LanguageTaskName } from '../../../src/core/tasks/taskCatalog';
import { oddIndexFor, type Kind } from './oddOneOutOracle';

// The test's own lexicon: number and gender of each noun, number of each verb, the reflexives.
const NOUN: Record<string, { plural: boolean; gender: 'm' | 'f' }> = {};
for (const [sg, pl, g] of [['boy', 'boys', 'm'], ['girl', 'girls', 'f'], ['king', 'kings', 'm'], ['queen', 'queens', 'f'],
  ['father', 'fathers', 'm'], ['mother', 'mothers', 'f'], ['uncle', 'uncles', 'm'], ['aunt', 'aunts', 'f']] as const) {
  NOUN[sg] = { plural: false, gender: g };
  NOUN[pl] = { plural: true, gender: g };
}
const VERB_PLURAL: Record<string, boolean> = {};
for (const v of ['see', 'like', 'trust', 'admire', 'blame', 'help']) {
  VERB_PLURAL[v] = true;
  VERB_PLURAL[`${v}s`] = false;
}
const ADJ = new Set(['tall', 'young', 'old', 'happy']);
const PREP = new Set(['near', 'behind', 'with']);
const ADV = new Set(['today', 'again', 'often']);
const REFL = new Set(['himself', 'herself', 'themselves']);

/** Parses `the [ADJ] N [P the N] V REFL [ADV] .` and returns (subject–verb agreement, reflexive agreement). */
function judge(words: string[], where: string): [number, number] {
  let i = 0;
  const expect = (ok: boolean, what: string) => assert.ok(ok, `${where}: expected ${what} at ${i} in "${words.join(' ')}"`);
  expect(words[i++] === 'the', 'the');
  if (ADJ.has(words[i]!)) i++;
  const subject = NOUN[words[i++]!];
  expect(subject !== undefined, 'a subject noun');
  if (PREP.has(words[i]!)) {
    i++;
    expect(words[i++] === 'the', 'the');
    expect(NOUN[words[i++]!] !== undefined, 'an attractor noun');
  }
  const verbPlural = VERB_PLURAL[words[i++]!];
  expect(verbPlural !== undefined, 'a verb');
  const refl = words[i++]!;
  expect(REFL.has(refl), 'a reflexive');
  if (ADV.has(words[i]!)) i++;
  expect(words[i++] === '.', 'a full stop');
  expect(i === words.length, 'the end of the sentence');
  const wanted = subject!.plural ? 'themselves' : subject!.gender === 'm' ? 'himself' : 'herself';
  return [verbPlural === subject!.plural ? 1 : 0, refl === wanted ? 1 : 0];
}

/** Token ids → words, checking that padding (id 0) only trails. */
function decode(ids: BigInt64Array, where: string): string[] {
  const words = Array.from(ids, (id) => {
    assert.ok(id >= 0n && id < BigInt(VOCAB.length), `${where}: token id ${id} outside the vocabulary`);
    return VOCAB[Number(id)]!;
  });
  const end = words.indexOf('<pad>');
  if (end >= 0) assert.ok(words.slice(end).every((w) => w === '<pad>'), `${where}: padding only at the end`);
  return end >= 0 ? words.slice(0, end) : words;
}

const KINDS: Kind[] = ['task', 'test-A', 'test-B', 'train-A', 'train-B'];

describe('language problem sets', () => {
  for (const kind of KINDS) {
    test(`agreement ${kind}: the label is the odd sentence according to a parse of the tokens`, () => {
      const n = 200;
      const set = makeLanguageProblems('agreement', kind, n, new Rng(4));
      const x = set.inputs.x!;
      assert.equal(x.dtype, 'int64');
      assert.deepEqual(x.shape, [n, 4, 12]);
      const data = x.data as BigInt64Array;
      for (let i = 0; i < n; i++) {
        const values: [number, number][] = [];
        for (let j = 0; j < 4; j++) {
          const where = `${kind} problem ${i} sentence ${j}`;
          const v = judge(decode(data.subarray((i * 4 + j) * 12, (i * 4 + j + 1) * 12), where), where);
          assert.deepEqual(v, [set.properties.data[(i * 4 + j) * 2], set.properties.data[(i * 4 + j) * 2 + 1]], `${where}: tokens agree with the recorded properties`);
          values.push(v);
        }
        assert.equal(Number(set.labels.data[i]), oddIndexFor(kind, values, `${kind} problem ${i}`), `${kind} problem ${i}: label`);
      }
    });
  }

  test('the grammar produces every optional constituent and both numbers', () => {
    const rng = new Rng(9);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const w = makeSentence(rng.int(2), rng.int(2), rng);
      if (ADJ.has(w[1]!)) seen.add('adjective');
      if (w.some((x) => PREP.has(x))) seen.add('attractor');
      if (ADV.has(w[w.length - 2]!)) seen.add('adverb');
      seen.add(`length ${w.length}`);
      const subj = w.find((x) => NOUN[x]);
      seen.add(NOUN[subj!]!.plural ? 'plural subject' : 'singular subject');
    }
    for (const s of ['adjective', 'attractor', 'adverb', 'plural subject', 'singular subject', 'length 5', 'length 10']) assert.ok(seen.has(s), `never saw ${s}`);
  });

  test('the same seed gives identical problems and another seed different ones', () => {
    const a = makeLanguageProblems('agreement', 'train-A', 20, new Rng(1));
    const b = makeLanguageProblems('agreement', 'train-A', 20, new Rng(1));
    const c = makeLanguageProblems('agreement', 'train-A', 20, new Rng(2));
    assert.deepEqual(a.inputs.x!.data, b.inputs.x!.data);
    assert.deepEqual(a.labels.data, b.labels.data);
    assert.notDeepEqual(a.inputs.x!.data, c.inputs.x!.data);
  });

  test('a sequence length shorter than the longest sentence is refused', () => {
    assert.throws(() => makeLanguageProblems('agreement', 'task', 1, new Rng(0), { sequenceLength: 8 }), /sequence length 8 is shorter than the longest sentence \(10\)/);
    assert.throws(() => makeLanguageProblems('inside-contact' as LanguageTaskName, 'task', 1, new Rng(0)), /not a language task/);
  });
});
