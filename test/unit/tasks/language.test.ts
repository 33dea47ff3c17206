import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/random';
import { makeLanguageProblems } from '../../../src/core/tasks/makeLanguageProblems';
import { VOCAB } from '../../../src/core/tasks/agreementGrammar';
import type { LanguageTaskName } from '../../../src/core/tasks/taskCatalog';
import { oddIndexFor, type Kind } from './oddOneOutOracle';

// The test's own lexicon: the number of each noun and verb form.
const NOUN_SINGULAR: Record<string, boolean> = {};
for (const n of ['boy', 'girl', 'king', 'queen', 'doctor', 'teacher', 'farmer', 'pilot']) {
  NOUN_SINGULAR[n] = true;
  NOUN_SINGULAR[`${n}s`] = false;
}
const VERB_SINGULAR: Record<string, boolean> = {};
for (const v of ['see', 'like', 'trust', 'admire', 'blame', 'help']) {
  VERB_SINGULAR[v] = false;
  VERB_SINGULAR[`${v}s`] = true;
}
const ADJ = new Set(['tall', 'young', 'old', 'happy']);
const PREP = new Set(['near', 'behind', 'with']);
const ADV = new Set(['today', 'again', 'often']);
const L = 14;

interface Parse {
  /** (subject singular, verb singular) as 0/1. */
  values: [number, number];
  subjectAt: number;
  verbAt: number;
  /** Numbers of the other nouns (attractor, object). */
  others: boolean[];
}

/** Parses `[CLS] [ADV] the [ADJ] N [P the N] V the [ADJ] N [ADV] .` (at most one adverb). */
function parse(words: string[], where: string): Parse {
  let i = 0;
  const expect = (ok: boolean, what: string) =>
    assert.ok(ok, `${where}: expected ${what} at ${i} in "${words.join(' ')}"`);
  const noun = (what: string) => {
    expect(words[i++] === 'the', 'the');
    if (ADJ.has(words[i]!) && what !== 'an attractor noun') i++;
    const at = i;
    expect(NOUN_SINGULAR[words[i++]!] !== undefined, what);
    return { at, singular: NOUN_SINGULAR[words[at]!]! };
  };
  expect(words[i++] === '[CLS]', '[CLS]');
  const leadingAdverb = ADV.has(words[i]!);
  if (leadingAdverb) i++;
  const subject = noun('a subject noun');
  const others: boolean[] = [];
  if (PREP.has(words[i]!)) {
    i++;
    others.push(noun('an attractor noun').singular);
  }
  const verbAt = i;
  expect(VERB_SINGULAR[words[i++]!] !== undefined, 'a verb');
  others.push(noun('an object noun').singular);
  if (!leadingAdverb && ADV.has(words[i]!)) i++;
  expect(words[i++] === '.', 'a full stop');
  expect(i === words.length, 'the end of the sentence');
  const values: [number, number] = [subject.singular ? 1 : 0, VERB_SINGULAR[words[verbAt]!] ? 1 : 0];
  return { values, subjectAt: subject.at, verbAt, others };
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

/** Every sentence of a set, parsed, with the recorded property values. */
function parseSet(kind: Kind, n: number, seed: number) {
  const set = makeLanguageProblems('agreement', kind, n, new Rng(seed));
  const data = set.inputs.x!.data as BigInt64Array;
  const parses: (Parse & { problem: number; recorded: [number, number] })[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) {
      const where = `${kind} problem ${i} sentence ${j}`;
      const p = parse(decode(data.subarray((i * 4 + j) * L, (i * 4 + j + 1) * L), where), where);
      const props = set.properties.data as Uint8Array;
      const recorded: [number, number] = [props[(i * 4 + j) * 2]!, props[(i * 4 + j) * 2 + 1]!];
      parses.push({ ...p, problem: i, recorded });
    }
  }
  return { set, parses };
}

const KINDS: Kind[] = ['task', 'test-A', 'test-B', 'train-A', 'train-B'];

describe('language problem sets', () => {
  for (const kind of KINDS) {
    test(`agreement ${kind}: A is the subject's number, B the verb's, and the label the odd sentence`, () => {
      const n = 200;
      const { set, parses } = parseSet(kind, n, 4);
      assert.equal(set.inputs.x!.dtype, 'int64');
      assert.deepEqual(set.inputs.x!.shape, [n, 4, L]);
      for (const p of parses) {
        assert.deepEqual(p.values, p.recorded, `${kind} problem ${p.problem}: tokens agree with the properties`);
      }
      for (let i = 0; i < n; i++) {
        const values = parses.slice(i * 4, i * 4 + 4).map((p) => p.values);
        const odd = oddIndexFor(kind, values, `${kind} problem ${i}`);
        assert.equal(Number(set.labels.data[i]), odd, `${kind} problem ${i}: label`);
      }
    });
  }

  test('neither feature sits at a fixed position, and the other nouns carry no information about A or B', () => {
    const { parses } = parseSet('task', 400, 7);
    const subjectPositions = new Set(parses.map((p) => p.subjectAt));
    const verbPositions = new Set(parses.map((p) => p.verbAt));
    assert.ok(subjectPositions.size >= 3, `subject positions ${[...subjectPositions]}`);
    assert.ok(verbPositions.size >= 5, `verb positions ${[...verbPositions]}`);
    const withAttractor = parses.filter((p) => p.others.length === 2).length;
    assert.ok(withAttractor > 0.35 * parses.length, 'attractors appear in about half');
    // The attractor's and object's number is a fair coin whatever A and B are.
    for (const a of [0, 1]) {
      for (const b of [0, 1]) {
        const nouns = parses.filter((p) => p.values[0] === a && p.values[1] === b).flatMap((p) => p.others);
        const singular = nouns.filter(Boolean).length / nouns.length;
        const where = `A=${a} B=${b}: ${singular} of ${nouns.length} singular`;
        assert.ok(nouns.length > 100 && Math.abs(singular - 0.5) < 0.08, where);
      }
    }
    // Reading one fixed position cannot decide A: the token at the most common subject position is the subject
    // noun in at most about half of the sentences.
    const counts = new Map<number, number>();
    for (const p of parses) counts.set(p.subjectAt, (counts.get(p.subjectAt) ?? 0) + 1);
    assert.ok(Math.max(...counts.values()) < 0.6 * parses.length, 'no single subject position dominates');
  });

  test('subroutine training sets are balanced: the free property is 0 or 1 about equally often', () => {
    for (const [kind, free] of [['train-A', 1], ['train-B', 0]] as const) {
      const { parses } = parseSet(kind, 300, 11);
      const ones = parses.filter((p) => p.values[free] === 1).length / parses.length;
      assert.ok(Math.abs(ones - 0.5) < 0.06, `${kind}: free property 1 in ${ones}`);
    }
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
    assert.throws(() => makeLanguageProblems('agreement', 'task', 1, new Rng(0), { sequenceLength: 12 }),
      /sequence length 12 is shorter than the longest sentence \(13\)/);
    assert.throws(() => makeLanguageProblems('inside-contact' as LanguageTaskName, 'task', 1, new Rng(0)),
      /not a language task/);
  });
});
