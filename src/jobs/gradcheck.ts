// The gradcheck job: the engine's mask gradients on a model against float64 finite differences, and the
// float32 training graph's gradient against the float64 one, on the first rows of a dataset.
import type { JobHooks } from '../shared/jobs';
import type { HeadSpec } from '../shared/spec';
import { readModel } from '../core/onnx/readModel';
import { renamedParameters } from '../core/onnx/exporterNames';
import { gradcheck as checkGradients, type GradcheckReport, type TensorGradcheck } from '../core/train/gradcheck';
import { fixedBatchOf } from '../core/train/fixedBatch';
import { paddedRows } from '../core/train/TrainingData';
import { chooseTensors, openModelData, scoredOutput } from './modelData';

/** A tensor passes when its worst sampled relative error is at most this. */
export const GRADCHECK_TOLERANCE = 1e-5;
/**
 * ...and when the float32 training graph's gradient is within this of the float64 one (‖g32 − g64‖ / ‖g64‖).
 * Float32 rounding alone stays near 1e-6 on the model zoo; a Relu decision that rounding flips (an input
 * within ~1e-6 of 0) moved ResNet-18's early gradients by 6e-4 to 3e-3; a wrong kernel path moves them by
 * far more (a ConvTranspose pad off by one: see gradcheck.test.ts).
 */
export const FLOAT32_TOLERANCE = 1e-2;

export interface GradcheckJobOptions {
  modelPath: string;
  dataPath: string;
  output?: string;
  head: HeadSpec;
  /** Initializers to check (default: every maskable float32 one). */
  tensors?: string[];
  /** Coordinates sampled per tensor. */
  samples: number;
  /** Examples in the batch (at most; a model with a fixed batch gets exactly that many). */
  rows: number;
  /** Seed of the logits and the sampled coordinates. */
  seed: number;
  threads?: number;
}

export type GradcheckJobResult = {
  model: string;
  output: string;
  head: HeadSpec;
  /** Examples actually used. */
  rows: number;
  tolerance: number;
  float32Tolerance: number;
  passed: boolean;
} & GradcheckReport & {
  /** Initializer → the PyTorch parameter it holds, for weights the exporter renamed. */
  parameters: Record<string, string>;
};

/** Whether one tensor is within both tolerances. */
export function gradcheckPasses(t: TensorGradcheck): boolean {
  return t.maxRelativeError <= GRADCHECK_TOLERANCE && t.float32Deviation <= FLOAT32_TOLERANCE;
}

export async function gradcheck(options: GradcheckJobOptions, _hooks: JobHooks): Promise<GradcheckJobResult> {
  const { modelPath, head, samples, seed, threads } = options;
  const model = readModel(modelPath);
  const output = scoredOutput(model, options.output);
  const tensors = chooseTensors(model, options.tensors);
  const data = openModelData(options.dataPath, model, head, output);
  let report: GradcheckReport;
  let rows: number;
  try {
    // A model with a fixed batch gets exactly that many rows, padded rows excluded from the loss.
    const fixed = fixedBatchOf(model, head);
    rows = Math.min(options.rows, fixed ?? options.rows, data.size);
    const batch = paddedRows(data, Uint32Array.from({ length: rows }, (_, i) => i), fixed);
    report = await checkGradients(model, batch, { output, head, tensors, samples, seed, threads });
  } finally {
    data.dataset.close();
  }
  return {
    model: modelPath, output, head, rows, tolerance: GRADCHECK_TOLERANCE, float32Tolerance: FLOAT32_TOLERANCE,
    passed: report.tensors.every(gradcheckPasses), ...report, parameters: renamedParameters(model, tensors),
  };
}
