// The attribute job: one-shot attribution W ⊙ ∂L/∂W for each scored initializer of a model over a dataset,
// written as a .safetensors file keyed by initializer name, with a summary per tensor.
import * as path from 'node:path';
import type { JobHooks } from '../shared/jobs';
import type { HeadSpec } from '../shared/spec';
import { readModel } from '../core/onnx/readModel';
import { renamedParameters } from '../core/onnx/exporterNames';
import { writeSafetensors } from '../core/data/writeSafetensors';
import { attribute as attributeScores } from '../core/train/attribute';
import { softmaxLogits } from '../core/train/lossHeads';
import { chooseTensors, openModelData, scoredOutput } from './modelData';

export interface AttributeJobOptions {
  modelPath: string;
  /** One array per model input, named after it, plus `labels`. */
  dataPath: string;
  /** The .safetensors file written. */
  outPath: string;
  /** Scored model output (default: the first). */
  output?: string;
  head: HeadSpec;
  /** Initializers to score (default: every maskable float32 one). */
  tensors?: string[];
  threads?: number;
}

export interface AttributedTensor {
  tensor: string;
  /** The PyTorch parameter a renamed or transposed initializer holds. */
  parameter?: string;
  shape: number[];
  sumAbs: number;
  maxAbs: number;
}

export interface AttributeJobResult {
  /** The file written (absolute). */
  out: string;
  output: string;
  /** The tensor the loss scores: the output, or the input of a Softmax output (the logits). */
  scored: string;
  head: HeadSpec;
  examples: number;
  tensors: AttributedTensor[];
}

export async function attribute(options: AttributeJobOptions, _hooks: JobHooks): Promise<AttributeJobResult> {
  const { modelPath, dataPath, head, threads } = options;
  const model = readModel(modelPath);
  const output = scoredOutput(model, options.output);
  const tensors = chooseTensors(model, options.tensors);
  const data = openModelData(dataPath, model, head, output);
  let scores: Map<string, Float32Array>;
  try {
    scores = await attributeScores(model, data, { output, head, tensors, threads });
  } finally {
    data.dataset.close();
  }
  const out = path.resolve(options.outPath);
  const shape = (name: string) => model.graph.initializers.get(name)!.dims;
  const arrays = Object.fromEntries(tensors.map((name) => [
    name, { dtype: 'float32' as const, shape: shape(name), data: scores.get(name)! },
  ]));
  // Keyed by initializer name; a weight the exporter renamed or transposed also names its PyTorch parameter.
  const parameters = renamedParameters(model, tensors);
  writeSafetensors(out, arrays, {
    model: path.basename(modelPath), data: path.basename(dataPath), output, head: head.type,
    examples: String(data.size),
    ...(Object.keys(parameters).length ? { parameters: JSON.stringify(parameters) } : {}),
  });
  const rows = tensors.map((name): AttributedTensor => {
    const s = scores.get(name)!;
    let sumAbs = 0, maxAbs = 0;
    for (let i = 0; i < s.length; i++) {
      sumAbs += Math.abs(s[i]!);
      maxAbs = Math.max(maxAbs, Math.abs(s[i]!));
    }
    const parameter = parameters[name] ? { parameter: parameters[name] } : {};
    return { tensor: name, ...parameter, shape: shape(name), sumAbs, maxAbs };
  });
  const scored = softmaxLogits(model.graph, output, head) ?? output;
  return { out, output, scored, head, examples: data.size, tensors: rows };
}
