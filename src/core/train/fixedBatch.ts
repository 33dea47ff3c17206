// Models exported with a fixed batch (PyTorch's dynamo exporter fixes it to the example's) accept only that
// many rows per call: training uses exactly that batch and evaluation pads its last chunk.
import type { Model } from '../onnx/ir';
import { TrainerError } from './errors';
import { stimuliPerExample, type HeadSpec } from './lossHeads';

/** Problems (labelled rows) per call when the model's inputs fix their leading dimension; else undefined. */
export function fixedBatchOf(model: Model, head: HeadSpec): number | undefined {
  const fixed = model.graph.inputs
    .map((i) => ({ name: i.name, lead: i.shape?.[0] }))
    .filter((i): i is { name: string; lead: number } => typeof i.lead === 'number');
  if (fixed.length === 0) return undefined;
  const rows = fixed[0]!.lead;
  const other = fixed.find((i) => i.lead !== rows);
  if (other) {
    const which = `model inputs '${fixed[0]!.name}' and '${other.name}'`;
    throw new TrainerError(`${which} fix different batch sizes (${rows} and ${other.lead})`);
  }
  const k = stimuliPerExample(head);
  if (rows % k !== 0) {
    throw new TrainerError(
      `the model's batch is fixed at ${rows} rows, not a multiple of the odd-one-out group size ${k}`);
  }
  return rows / k;
}
