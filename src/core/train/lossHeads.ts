// Loss heads appended in-graph after the scored model output. Labels arrive one-hot (built by the host
// from integer labels), so the loss is made of differentiable elementwise ops only.
import type { GraphBuilder } from '../onnx/GraphBuilder';
import { attrInt, DataType, type Graph } from '../onnx/ir';

export type HeadSpec = { type: 'classify' } | { type: 'odd-one-out'; group: number };

export interface HeadNodes {
  /** Scalar mean cross-entropy. */
  loss: string;
  /** Scalar count of correct predictions in the batch (float). */
  correct: string;
  /** [batch, classes] logits the loss is computed from. */
  logits: string;
  /** odd-one-out: the embeddings grouped to [problems, k, D]. */
  grouped?: string;
}

/**
 * The tensor a classify head scores. Exported classifiers often end in a Softmax: its input (the logits)
 * is scored instead, since log-softmax of the logits is the log-probabilities while the log of a saturated
 * probability is not (its gradient vanishes). Returns undefined when the output is not a Softmax over the
 * last axis of a 2-D output, or the head is not classify.
 */
export function softmaxLogits(graph: Graph, output: string, head: HeadSpec): string | undefined {
  if (head.type !== 'classify') return undefined;
  const producer = graph.nodes.find((n) => n.outputs[0] === output);
  if (!producer || producer.opType !== 'Softmax' || producer.domain !== '') return undefined;
  const axis = attrInt(producer, 'axis', -1);
  return axis === -1 || axis === 1 ? producer.inputs[0] : undefined;
}

/** Number of classes a head scores: the output width for classify, the group size for odd-one-out. */
export function headClasses(head: HeadSpec, outputWidth: number): number {
  return head.type === 'odd-one-out' ? head.group : outputWidth;
}

/** Examples per labelled row: k stimuli per odd-one-out problem, one otherwise. */
export function stimuliPerExample(head: HeadSpec): number {
  return head.type === 'odd-one-out' ? head.group : 1;
}

/**
 * classify: `output` is [batch, classes] logits. odd-one-out: `output` is [problems·k, D] embeddings;
 * they are L2-normalised, grouped to [problems, k, D], and the logit of stimulus i is −Σⱼ cos(zᵢ, zⱼ)
 * (the odd one is least similar to the others). Both: mean softmax cross-entropy against `onehot` over
 * its labelled (non-zero) rows.
 */
export function appendHead(
  b: GraphBuilder,
  head: HeadSpec,
  output: string,
  onehot: string,
  embeddingWidth: number,
): HeadNodes {
  let logits = output;
  let grouped: string | undefined;
  if (head.type === 'odd-one-out') {
    grouped = b.emit1('Reshape', [output, b.int64([-1, head.group, embeddingWidth])]);
    const norm = b.emit1('Sqrt', [b.emit1('Add', [
      b.emit1('ReduceSum', [b.emit1('Mul', [grouped, grouped]), b.int64([-1])], { keepdims: 1 }),
      b.constant([1e-12]),
    ])]);
    const unit = b.emit1('Div', [grouped, norm]);
    const cosines = b.emit1('MatMul', [unit, b.emit1('Transpose', [unit], { perm: [0, 2, 1] })]);
    logits = b.emit1('Neg', [b.emit1('ReduceSum', [cosines, b.int64([-1])], { keepdims: 0 })]);
  }
  const logProbs = b.emit1('LogSoftmax', [logits], { axis: -1 });
  const perExample = b.emit1('ReduceSum', [b.emit1('Mul', [logProbs, onehot]), b.int64([-1])], { keepdims: 0 });
  // A row of zeros in `onehot` pads a batch up to a model's fixed batch size: 1 per labelled row, 0 per padding
  // row, so padding adds nothing to the loss, its gradient or the count of correct predictions.
  const labelled = b.emit1('ReduceSum', [onehot, b.int64([-1])], { keepdims: 0 });
  const rows = b.emit1('ReduceSum', [labelled], { keepdims: 0 });
  const loss = b.emit1('Neg', [b.emit1('Div', [b.emit1('ReduceSum', [perExample], { keepdims: 0 }), rows])]);
  const predicted = b.emit1('ArgMax', [logits], { axis: -1, keepdims: 0 });
  const hit = b.emit1('Equal', [predicted, b.emit1('ArgMax', [onehot], { axis: -1, keepdims: 0 })]);
  const hits = b.emit1('Mul', [b.emit1('Cast', [hit], { to: b.floatType }), labelled]);
  const correct = b.emit1('ReduceSum', [hits], { keepdims: 0 });
  return { loss, correct, logits, grouped };
}

/**
 * One-hot rows for integer labels, then zero rows up to `rows` (padding of a fixed-size batch, ignored by
 * the head); throws on a label outside [0, classes).
 */
export function oneHot(
  labels: ArrayLike<number | bigint>, classes: number, floatType: number, rows = labels.length,
): Float32Array | Float64Array {
  const n = Math.max(rows, labels.length) * classes;
  const out = floatType === DataType.DOUBLE ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < labels.length; i++) {
    const y = Number(labels[i]);
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new RangeError(`label ${y} at row ${i} is outside 0…${classes - 1}`);
    }
    out[i * classes + y] = 1;
  }
  return out;
}
