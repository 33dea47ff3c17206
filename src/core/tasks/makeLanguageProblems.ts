// Odd-one-out problem sets of sentences for the language task (see sampleProblemProperties for
// what each kind of set contains and agreementGrammar for the sentences).
import type { Rng } from '../util/random';
import { DEFAULT_SEQUENCE_LENGTH, MAX_SENTENCE_LENGTH, encodeSentence, makeSentence } from './agreementGrammar';
import { TaskError } from './errors';
import { sampleProblems, type ProblemSet } from './ProblemSet';
import { GROUP, type ProblemKind } from './sampleProblemProperties';
import { TASKS, type LanguageTaskName } from './taskCatalog';

export interface LanguageProblemOptions {
  /** Padded sentence length in tokens (default 12, at least 10). */
  sequenceLength?: number;
  /** Model input name (default `x`). */
  inputName?: string;
}

/** `count` problems of `kind`; stimuli are int64 token ids [count, 4, length]. */
export function makeLanguageProblems(
  task: LanguageTaskName, kind: ProblemKind, count: number, rng: Rng, options: LanguageProblemOptions = {},
): ProblemSet {
  if (TASKS[task]?.family !== 'language') throw new TaskError(`'${task}' is not a language task`, 'task', task);
  if (!Number.isInteger(count) || count < 0) {
    throw new TaskError(`problem count ${count} is not a non-negative integer`, 'count', count);
  }
  const length = options.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;
  if (!Number.isInteger(length) || length < MAX_SENTENCE_LENGTH) {
    throw new TaskError(`sequence length ${length} is shorter than the longest sentence (${MAX_SENTENCE_LENGTH})`,
      'sequenceLength', length);
  }
  const x = new BigInt64Array(count * GROUP * length);
  const sampled = sampleProblems(kind, count, rng, (i, j, a, b) => {
    const ids = encodeSentence(makeSentence(a, b, rng), length);
    const base = (i * GROUP + j) * length;
    for (let t = 0; t < length; t++) x[base + t] = BigInt(ids[t]!);
  });
  return {
    task, kind,
    inputs: { [options.inputName ?? 'x']: { dtype: 'int64', shape: [count, GROUP, length], data: x } },
    ...sampled,
  };
}
