// A small number-agreement grammar over a fixed vocabulary:
//
//   S → [CLS] [ADV] the [ADJ] N_subj [P the N_attr] V the [ADJ] N_obj [ADV] .
//
// (at most one of the two adverbs). The task composes two *lexical* number features, each read off one
// word at its own position, as in the reference's split of agreement into subject number and verb number:
// property A (subject-number) = the subject noun is singular; property B (verb-number) = the verb is
// singular (third person -s). The compositional rule "A and B" holds for singular sentences with a
// singular verb; the odd sentence has a plural subject, a plural verb or both. Neither feature sits at a
// fixed position (optional adverb, adjectives and prepositional phrase shift them), and the attractor
// noun of the prepositional phrase and the object noun have a random number, so no single token or
// "some noun is singular" decides either property. Sentences start with [CLS] (the encoder's pooled
// position) and are padded with PAD (id 0) to a fixed length.
import type { Rng } from '../util/random';

/** [singular, plural] */
const NOUNS: [string, string][] = [
  ['boy', 'boys'], ['girl', 'girls'], ['king', 'kings'], ['queen', 'queens'],
  ['doctor', 'doctors'], ['teacher', 'teachers'], ['farmer', 'farmers'], ['pilot', 'pilots'],
];
/** [singular (3rd person), plural] */
const VERBS: [string, string][] = [
  ['sees', 'see'], ['likes', 'like'], ['trusts', 'trust'],
  ['admires', 'admire'], ['blames', 'blame'], ['helps', 'help'],
];
const ADJECTIVES = ['tall', 'young', 'old', 'happy'];
const PREPOSITIONS = ['near', 'behind', 'with'];
const ADVERBS = ['today', 'again', 'often'];

export const PAD = '<pad>';
export const CLS = '[CLS]';

/** The vocabulary; a token's id is its index. PAD is id 0, CLS id 1. */
export const VOCAB: readonly string[] = [
  PAD, CLS, '.', 'the',
  ...ADVERBS,
  ...ADJECTIVES,
  ...NOUNS.flatMap(([sg, pl]) => [sg, pl]),
  ...PREPOSITIONS,
  ...VERBS.flatMap(([sg, pl]) => [sg, pl]),
];

const ID = new Map(VOCAB.map((w, i) => [w, i]));

/** Longest encoded sentence: [CLS] ADV the ADJ N P the N V the ADJ N . */
export const MAX_SENTENCE_LENGTH = 13;
export const DEFAULT_SEQUENCE_LENGTH = 14;

/** Words of one sentence (without [CLS]) with a singular subject iff `a` = 1 and a singular verb iff `b` = 1. */
export function makeSentence(a: number, b: number, rng: Rng): string[] {
  const noun = (singular: boolean) => rng.pick(NOUNS)[singular ? 0 : 1];
  const adverb = rng.int(3); // 0: none, 1: first, 2: last
  const words: string[] = [];
  if (adverb === 1) words.push(rng.pick(ADVERBS));
  words.push('the');
  if (rng.bool()) words.push(rng.pick(ADJECTIVES));
  words.push(noun(a === 1));
  if (rng.bool()) words.push(rng.pick(PREPOSITIONS), 'the', noun(rng.bool()));
  words.push(rng.pick(VERBS)[b === 1 ? 0 : 1], 'the');
  if (rng.bool()) words.push(rng.pick(ADJECTIVES));
  words.push(noun(rng.bool()));
  if (adverb === 2) words.push(rng.pick(ADVERBS));
  words.push('.');
  return words;
}

/** Token ids of [CLS] + `words`, padded with PAD to `length`. */
export function encodeSentence(words: readonly string[], length: number): number[] {
  if (words.length + 1 > length) {
    throw new RangeError(`sentence of ${words.length + 1} tokens does not fit length ${length}: "${words.join(' ')}"`);
  }
  const ids = [CLS, ...words].map((w) => {
    const id = ID.get(w);
    if (id === undefined) throw new RangeError(`word '${w}' is not in the vocabulary`);
    return id;
  });
  while (ids.length < length) ids.push(0);
  return ids;
}
