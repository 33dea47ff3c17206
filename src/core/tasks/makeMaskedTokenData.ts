// Unlabelled data for masked-token pretraining of the language model: grammatical sentences of the
// agreement grammar (the verb agrees with the subject in number, singular or plural at even odds, as in
// a natural corpus), with each word (never [CLS] or padding) replaced by the [MASK] id with probability
// `maskRate` and at least one token masked per sentence. One row per masked token: the masked
// sentence, a one-hot selector [L, 1] of the position to predict, and the original token id as label.
// So the mean loss over rows is the mean cross-entropy over all masked tokens (BERT's objective,
// without its 10 % random / 10 % kept replacements).
import type { Rng } from '../util/random';
import {
  DEFAULT_SEQUENCE_LENGTH, MAX_SENTENCE_LENGTH, PAD, VOCAB, encodeSentence, makeSentence,
} from './agreementGrammar';
import { TaskError } from './errors';

export interface MaskedTokenOptions {
  /** Padded sentence length (default 12). */
  sequenceLength?: number;
  /** Id written at masked positions (default VOCAB.length: a [MASK] row that only the pretraining graph has). */
  maskId?: number;
  /** Probability that a token is masked (default 0.15). */
  maskRate?: number;
}

export interface MaskedTokenData {
  /** int64 [rows, L]: sentences with masked tokens. */
  x: BigInt64Array;
  /** float32 [rows, L, 1]: 1 at the position this row predicts. */
  select: Float32Array;
  /** int64 [rows]: the original token at that position. */
  labels: BigInt64Array;
  rows: number;
  sentences: number;
  sequenceLength: number;
  maskId: number;
}

const PAD_ID = VOCAB.indexOf(PAD);

export function makeMaskedTokenData(sentences: number, rng: Rng, options: MaskedTokenOptions = {}): MaskedTokenData {
  const length = options.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;
  const maskId = options.maskId ?? VOCAB.length;
  const rate = options.maskRate ?? 0.15;
  if (!Number.isInteger(sentences) || sentences < 1) {
    throw new TaskError(`sentence count ${sentences} is not a positive integer`, 'sentences', sentences);
  }
  if (!Number.isInteger(length) || length < MAX_SENTENCE_LENGTH) {
    throw new TaskError(`sequence length ${length} is shorter than the longest sentence (${MAX_SENTENCE_LENGTH})`,
      'sequenceLength', length);
  }
  if (!(rate > 0 && rate < 1)) throw new TaskError(`mask rate ${rate} is not in (0, 1)`, 'maskRate', rate);
  const rowsX: number[][] = [];
  const rowsPos: number[] = [];
  const rowsLabel: number[] = [];
  for (let s = 0; s < sentences; s++) {
    const singular = rng.int(2);
    const ids = encodeSentence(makeSentence(singular, singular, rng), length);
    const real = ids.findIndex((id) => id === PAD_ID);
    const n = real < 0 ? length : real;
    // Position 0 is [CLS].
    let masked: number[] = [];
    for (let t = 1; t < n; t++) if (rng.bool(rate)) masked.push(t);
    if (masked.length === 0) masked = [1 + rng.int(n - 1)];
    const input = ids.slice();
    for (const t of masked) input[t] = maskId;
    for (const t of masked) { rowsX.push(input); rowsPos.push(t); rowsLabel.push(ids[t]!); }
  }
  const rows = rowsLabel.length;
  const x = new BigInt64Array(rows * length);
  const select = new Float32Array(rows * length);
  const labels = new BigInt64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < length; t++) x[r * length + t] = BigInt(rowsX[r]![t]!);
    select[r * length + rowsPos[r]!] = 1;
    labels[r] = BigInt(rowsLabel[r]!);
  }
  return { x, select, labels, rows, sentences, sequenceLength: length, maskId };
}
