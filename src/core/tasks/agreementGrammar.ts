// A small agreement grammar over a fixed vocabulary:
//
//   S → the [ADJ] N_subj [P the N_attr] V REFL [ADV] .
//
// N_subj carries gender (m/f) and number (sg/pl); the verb is transitive and takes the reflexive as
// its object, so the subject is both the verb's agreement controller and the reflexive's antecedent.
// The optional prepositional phrase puts an *attractor* noun of random gender and number between
// subject and verb. Property A (subject–verb): the verb's number equals the subject's. Property B
// (reflexive): the pronoun is the one the subject's gender and number call for (himself for a
// masculine singular, herself for a feminine singular, themselves for any plural); when B = 0 one of
// the two wrong pronouns is drawn uniformly. Sentences are padded with PAD (id 0) to a fixed length.
import type { Rng } from '../util/random';

type Gender = 'm' | 'f';

/** [singular, plural, gender] */
const NOUNS: [string, string, Gender][] = [
  ['boy', 'boys', 'm'], ['girl', 'girls', 'f'], ['king', 'kings', 'm'], ['queen', 'queens', 'f'],
  ['father', 'fathers', 'm'], ['mother', 'mothers', 'f'], ['uncle', 'uncles', 'm'], ['aunt', 'aunts', 'f'],
];
/** [singular (3rd person), plural] */
const VERBS: [string, string][] = [
  ['sees', 'see'], ['likes', 'like'], ['trusts', 'trust'], ['admires', 'admire'], ['blames', 'blame'], ['helps', 'help'],
];
const ADJECTIVES = ['tall', 'young', 'old', 'happy'];
const PREPOSITIONS = ['near', 'behind', 'with'];
const ADVERBS = ['today', 'again', 'often'];
const REFLEXIVES = ['himself', 'herself', 'themselves'];

export const PAD = '<pad>';

/** The vocabulary; a token's id is its index. PAD is id 0. */
export const VOCAB: readonly string[] = [
  PAD, '.', 'the',
  ...ADJECTIVES,
  ...NOUNS.flatMap(([sg, pl]) => [sg, pl]),
  ...PREPOSITIONS,
  ...VERBS.flatMap(([sg, pl]) => [sg, pl]),
  ...REFLEXIVES,
  ...ADVERBS,
];

const ID = new Map(VOCAB.map((w, i) => [w, i]));

/** Longest sentence the grammar makes: the ADJ N P the N V REFL ADV . */
export const MAX_SENTENCE_LENGTH = 10;
export const DEFAULT_SEQUENCE_LENGTH = 12;

/** Words of one sentence with subject–verb agreement `a` (0/1) and reflexive agreement `b` (0/1). */
export function makeSentence(a: number, b: number, rng: Rng): string[] {
  const [sg, pl, gender] = rng.pick(NOUNS);
  const plural = rng.bool();
  const words = ['the'];
  if (rng.bool()) words.push(rng.pick(ADJECTIVES));
  words.push(plural ? pl : sg);
  if (rng.bool()) {
    const [asg, apl] = rng.pick(NOUNS);
    words.push(rng.pick(PREPOSITIONS), 'the', rng.bool() ? apl : asg);
  }
  const [vsg, vpl] = rng.pick(VERBS);
  const verbPlural = a === 1 ? plural : !plural;
  words.push(verbPlural ? vpl : vsg);
  const correct = plural ? 'themselves' : gender === 'm' ? 'himself' : 'herself';
  words.push(b === 1 ? correct : rng.pick(REFLEXIVES.filter((r) => r !== correct)));
  if (rng.bool()) words.push(rng.pick(ADVERBS));
  words.push('.');
  return words;
}

/** Token ids of `words`, padded with PAD to `length`. */
export function encodeSentence(words: readonly string[], length: number): number[] {
  if (words.length > length) throw new RangeError(`sentence of ${words.length} tokens does not fit length ${length}: "${words.join(' ')}"`);
  const ids = words.map((w) => {
    const id = ID.get(w);
    if (id === undefined) throw new RangeError(`word '${w}' is not in the vocabulary`);
    return id;
  });
  while (ids.length < length) ids.push(0);
  return ids;
}
